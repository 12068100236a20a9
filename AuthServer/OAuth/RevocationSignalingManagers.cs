using AlyAspire.AgentGate;
using System.ComponentModel.DataAnnotations;
using System.Runtime.CompilerServices;
using AlyAspire.AuthServer.Outbox;
using Microsoft.Extensions.Options;
using OpenIddict.Abstractions;
using OpenIddict.Core;
using OpenIddict.EntityFrameworkCore.Models;

namespace AlyAspire.AuthServer.OAuth;

/// <summary>
/// OpenIddict's token manager, plus a revocation marker for every token it revokes: whatever revokes
/// (the revocation endpoint, code replay, refresh-token reuse, the connected-apps page) goes through here.
/// It leaves out one read per token written: OpenIddict looks a new reference identifier up before storing it, to
/// refuse a duplicate; the unique index on the reference identifier (authdb) refuses one anyway, and an identifier
/// is 256 random bits.
/// </summary>
public sealed class RevocationSignalingTokenManager(
    IOpenIddictTokenCache<OpenIddictEntityFrameworkCoreToken> cache,
    ILogger<OpenIddictTokenManager<OpenIddictEntityFrameworkCoreToken>> logger,
    IOptionsMonitor<OpenIddictCoreOptions> options,
    IOpenIddictTokenStore<OpenIddictEntityFrameworkCoreToken> store,
    RevocationPublisher signals,
    IServiceProvider services)
    : OpenIddictTokenManager<OpenIddictEntityFrameworkCoreToken>(cache, logger, options, store)
{
    /// <summary>OpenIddict's checks (a type, a status), without the reference identifier's lookup (see above).</summary>
    public override async IAsyncEnumerable<ValidationResult> ValidateAsync(
        OpenIddictEntityFrameworkCoreToken token, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(token);
        if (string.IsNullOrEmpty(await Store.GetTypeAsync(token, cancellationToken)))
        {
            yield return new ValidationResult("The token type cannot be null or empty.");
        }

        if (string.IsNullOrEmpty(await Store.GetStatusAsync(token, cancellationToken)))
        {
            yield return new ValidationResult("The status cannot be null or empty.");
        }
    }

    /// <summary>
    /// Writes a new, complete token entry in one statement (<see cref="CompiledLookupTokenStore.InsertAsync"/>): the
    /// reference identifier hashed as this manager stores it, with OpenIddict's checks (a type, a status). For entries
    /// whose id was given to their token before it was generated (<see cref="DeferredTokenEntryHandler"/>).
    /// </summary>
    public async ValueTask InsertAsync(string id, OpenIddictTokenDescriptor descriptor, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrEmpty(descriptor.Type) || string.IsNullOrEmpty(descriptor.Status))
        {
            throw new InvalidOperationException("A token entry needs a type and a status.");
        }

        if (Store is not CompiledLookupTokenStore store)
        {
            throw new InvalidOperationException("The platform's token store is not registered.");
        }

        var hashedReferenceId = string.IsNullOrEmpty(descriptor.ReferenceId) ? null : await ObfuscateReferenceIdAsync(descriptor.ReferenceId, cancellationToken);
        await store.InsertAsync(id, descriptor, hashedReferenceId, cancellationToken);
    }

    public override async ValueTask<bool> TryRevokeAsync(OpenIddictEntityFrameworkCoreToken token, CancellationToken cancellationToken = default)
    {
        var revoked = await base.TryRevokeAsync(token, cancellationToken);
        if (revoked && token.Id is not null)
        {
            await signals.OAuthTokenRevokedAsync(token.Id);
        }

        return revoked;
    }

    public override async ValueTask<long> RevokeByAuthorizationIdAsync(string identifier, CancellationToken cancellationToken = default)
    {
        // Revoking a grant's tokens (code replay, refresh-token reuse, connected apps) withdraws the grant itself,
        // so the authorization marker and the authorization's state agree: a later consent starts a new one.
        var count = await base.RevokeByAuthorizationIdAsync(identifier, cancellationToken);
        var authorizations = services.GetRequiredService<IOpenIddictAuthorizationManager>();
        var authorization = await authorizations.FindByIdAsync(identifier, cancellationToken);
        // The marker covers every token issued under the authorization, including ones a verifier has cached.
        // The authorization manager sets it when it revokes; otherwise (already revoked, or gone) it is set here.
        if (authorization is null || !await authorizations.TryRevokeAsync(authorization, cancellationToken))
        {
            await KeyRevocationOutbox.EnqueueForGrantAsync(services.GetRequiredService<IServiceScopeFactory>(),
                services.GetRequiredService<OutboxDispatcher>(), identifier, cancellationToken);
            await signals.OAuthAuthorizationRevokedAsync(identifier);
        }

        return count;
    }

    public override async ValueTask<long> RevokeAsync(string? subject, string? client, string? status, string? type, CancellationToken cancellationToken = default)
    {
        var tokenIds = new List<string>();
        await foreach (var token in FindAsync(subject, client, status, type, cancellationToken))
        {
            if (token.Id is not null)
            {
                tokenIds.Add(token.Id);
            }
        }

        var count = await base.RevokeAsync(subject, client, status, type, cancellationToken);
        foreach (var id in tokenIds)
        {
            await signals.OAuthTokenRevokedAsync(id);
        }

        return count;
    }
}

/// <summary>
/// OpenIddict's authorization manager, plus a revocation marker for every authorization it revokes, and the
/// revocation of the API keys agents minted under it: an outbox message is written before the grant is revoked (so
/// a crash in between errs towards revoking), and delivered to the KeyService with retries (<see cref="KeyRevocationOutbox"/>).
/// </summary>
public sealed class RevocationSignalingAuthorizationManager(
    IOpenIddictAuthorizationCache<OpenIddictEntityFrameworkCoreAuthorization> cache,
    ILogger<OpenIddictAuthorizationManager<OpenIddictEntityFrameworkCoreAuthorization>> logger,
    IOptionsMonitor<OpenIddictCoreOptions> options,
    IOpenIddictAuthorizationStore<OpenIddictEntityFrameworkCoreAuthorization> store,
    RevocationPublisher signals,
    IServiceScopeFactory scopes,
    OutboxDispatcher outbox)
    : OpenIddictAuthorizationManager<OpenIddictEntityFrameworkCoreAuthorization>(cache, logger, options, store)
{
    public override async ValueTask<bool> TryRevokeAsync(OpenIddictEntityFrameworkCoreAuthorization authorization, CancellationToken cancellationToken = default)
    {
        if (authorization.Id is not null && authorization.Status != OpenIddictConstants.Statuses.Revoked)
        {
            await KeyRevocationOutbox.EnqueueForGrantAsync(scopes, outbox, authorization.Id, cancellationToken);
        }

        var revoked = await base.TryRevokeAsync(authorization, cancellationToken);
        if (revoked && authorization.Id is not null)
        {
            await signals.OAuthAuthorizationRevokedAsync(authorization.Id);
        }

        return revoked;
    }

    public override async ValueTask<long> RevokeAsync(string? subject, string? client, string? status, string? type, CancellationToken cancellationToken = default)
    {
        var ids = new List<string>();
        await foreach (var authorization in FindAsync(subject, client, status, type, scopes: null, cancellationToken))
        {
            if (authorization.Id is not null)
            {
                ids.Add(authorization.Id);
            }
        }

        foreach (var id in ids)
        {
            await KeyRevocationOutbox.EnqueueForGrantAsync(scopes, outbox, id, cancellationToken);
        }

        var count = await base.RevokeAsync(subject, client, status, type, cancellationToken);
        foreach (var id in ids)
        {
            await signals.OAuthAuthorizationRevokedAsync(id);
        }

        return count;
    }
}
