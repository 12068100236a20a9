using System.Net;
using AlyAspire.AuthServer.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using OpenIddict.Abstractions;
using OpenIddict.Core;
using OpenIddict.EntityFrameworkCore.Models;

namespace AlyAspire.AuthServer.OAuth;

/// <summary>
/// OpenIddict's application manager with RFC 8252 §7.3: a registered loopback redirect URI
/// (<c>http://127.0.0.1/…</c>, <c>http://[::1]/…</c>) matches whatever port the native app or agent listens on
/// at authorization time. Every other redirect URI must match exactly.
/// Client secrets: a recent match is remembered (<see cref="ClientSecretVerificationCache"/>) instead of paying a
/// PBKDF2 per request, and a rotated machine client's previous secret is accepted until its grace period ends.
/// </summary>
public sealed class LoopbackRedirectUriApplicationManager(
    IOpenIddictApplicationCache<OpenIddictEntityFrameworkCoreApplication> cache,
    ILogger<OpenIddictApplicationManager<OpenIddictEntityFrameworkCoreApplication>> logger,
    IOptionsMonitor<OpenIddictCoreOptions> options,
    IOpenIddictApplicationStore<OpenIddictEntityFrameworkCoreApplication> store,
    ClientSecretVerificationCache secretMatches,
    AuthDbContext db,
    TimeProvider time)
    : OpenIddictApplicationManager<OpenIddictEntityFrameworkCoreApplication>(cache, logger, options, store)
{
    public override async ValueTask<bool> ValidateClientSecretAsync(
        OpenIddictEntityFrameworkCoreApplication application, string secret, CancellationToken cancellationToken = default)
    {
        if (await base.ValidateClientSecretAsync(application, secret, cancellationToken))
        {
            return true;
        }

        // A machine client rotated with a grace period: its previous secret, until the grace ends (checked per request).
        var now = time.GetUtcNow();
        var previous = await db.MachineClients.AsNoTracking()
            .Where(c => c.ApplicationId == application.Id && c.PreviousSecretHash != null && c.PreviousSecretValidUntil > now)
            .Select(c => c.PreviousSecretHash)
            .SingleOrDefaultAsync(cancellationToken);
        return previous is not null && await ValidateClientSecretAsync(secret, previous, cancellationToken);
    }

    protected override async ValueTask<bool> ValidateClientSecretAsync(string secret, string comparand, CancellationToken cancellationToken = default)
    {
        if (secretMatches.IsKnownMatch(secret, comparand))
        {
            return true;
        }

        if (!await base.ValidateClientSecretAsync(secret, comparand, cancellationToken))
        {
            return false;
        }

        secretMatches.RememberMatch(secret, comparand);
        return true;
    }

    public override async ValueTask<bool> ValidateRedirectUriAsync(
        OpenIddictEntityFrameworkCoreApplication application, string uri, CancellationToken cancellationToken = default)
    {
        if (await base.ValidateRedirectUriAsync(application, uri, cancellationToken))
        {
            return true;
        }

        if (!Uri.TryCreate(uri, UriKind.Absolute, out var requested) || !IsLoopbackIpLiteral(requested))
        {
            return false;
        }

        foreach (var registered in await GetRedirectUrisAsync(application, cancellationToken))
        {
            if (Uri.TryCreate(registered, UriKind.Absolute, out var candidate) && IsLoopbackIpLiteral(candidate)
                && string.Equals(candidate.Host, requested.Host, StringComparison.OrdinalIgnoreCase)
                && string.Equals(candidate.PathAndQuery, requested.PathAndQuery, StringComparison.Ordinal)
                && string.IsNullOrEmpty(requested.Fragment))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Plain-http loopback by IP literal, the only form whose port is ignored (RFC 8252 §7.3, §8.3).</summary>
    public static bool IsLoopbackIpLiteral(Uri uri) =>
        uri.Scheme == Uri.UriSchemeHttp
        && uri.HostNameType is UriHostNameType.IPv4 or UriHostNameType.IPv6
        && IPAddress.TryParse(uri.IdnHost, out var address)
        && IPAddress.IsLoopback(address);
}
