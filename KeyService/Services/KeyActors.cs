using System.ComponentModel.DataAnnotations;
using System.Net;
using AlyAspire.KeyService.Infrastructure;
using AlyAspire.Shared.ApiKeys;
using AlyAspire.Shared.Credentials;
using AlyAspire.AgentGate;
using AlyAspire.Shared.Scopes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace AlyAspire.KeyService.Services;

/// <summary>The kinds of actor a key change can have (also in the audit trail).</summary>
public static class KeyActorKinds
{
    public const string Person = "person";
    public const string ApiKey = "api_key";
    public const string OAuthClient = "oauth_client";
    public const string System = "system";
}

/// <summary>
/// A verified actor and its ceiling: the scopes it may put on a key it creates, or must hold to roll or revoke one.
/// </summary>
/// <param name="Id"><c>user:{id}</c>, <c>key:{id}</c> or <c>oauth:{token id}</c>: what the audit trail names.</param>
/// <param name="OnBehalfOfUserId">The person an agent acts for (an OAuth grant's subject, or a delegated key's person).</param>
/// <param name="AuthorizationId">The OAuth grant an agent acts under; keys it mints die with it.</param>
/// <param name="LatestKeyExpiry">For an agent acting under a grant: the latest expiry a key it mints may have.</param>
/// <param name="PlatformProfile">The UCP platform the acting credential is bound to: what it mints is bound to it too.</param>
public sealed record KeyActor(
    string Id,
    string Kind,
    Guid WorkspaceId,
    IReadOnlyList<string> Ceiling,
    Guid? OnBehalfOfUserId,
    string? AuthorizationId,
    DateTimeOffset? LatestKeyExpiry,
    string? SourceIp,
    string? PlatformProfile = null)
{
    public bool IsDelegated => AuthorizationId is not null;

    /// <summary>The scopes of <paramref name="scopes"/> beyond this actor's ceiling.</summary>
    public string[] Beyond(IEnumerable<string> scopes) => scopes.Except(Ceiling, StringComparer.Ordinal).ToArray();
}

/// <summary>Keys minted under an OAuth grant (section <c>ApiKeys</c>).</summary>
public sealed class DelegatedKeyOptions
{
    /// <summary>
    /// The longest a key minted by an OAuth-delegated agent may live: the grant's lifetime, i.e. the refresh-token
    /// lifetime the AuthServer issues with (OpenIddict's 14 days). Such a key always has an expiry.
    /// </summary>
    [Range(typeof(TimeSpan), "00:01:00", "365.00:00:00")]
    public TimeSpan DelegatedKeyMaxLifetime { get; set; } = TimeSpan.FromDays(14);

    /// <summary>How often key events are delivered to the AuthServer's audit log.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00")]
    public TimeSpan AuditDeliveryInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How often the grace-end job writes the revocation markers of rolled-away secrets whose grace has ended.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan GraceEndScanInterval { get; set; } = TimeSpan.FromSeconds(30);
}

/// <summary>Why an actor could not be established: a status and a problem the caller can act on.</summary>
public sealed record KeyActorRefusal(int Status, string Title, string Detail);

/// <summary>
/// Works out who is acting from what it can verify itself, never from a header that merely claims it: a person's
/// actor assertion (signed by the AuthServer; the ceiling is the role's scopes), an API key (verified here; the
/// key's scopes) or an OAuth access token (introspected at the AuthServer; the grant's scopes).
/// </summary>
public sealed class KeyActors(
    ActorAssertions assertions,
    OAuthTokenVerifier oauthTokens,
    KeysDbContext db,
    ApiKeyHasher hasher,
    RevocationMarkers markers,
    IOptions<DelegatedKeyOptions> options,
    TimeProvider time)
{
    public async Task<(KeyActor? Actor, KeyActorRefusal? Refusal)> ResolveAsync(HttpContext http, Guid workspaceId, CancellationToken ct)
    {
        var headers = http.Request.Headers;
        var assertion = headers[ApiKeyHeaders.ActorAssertion].ToString();
        var credential = headers[ApiKeyHeaders.ActorCredential].ToString();
        var ip = headers[ApiKeyHeaders.ActorIp].ToString().Trim();
        if (ip.Length > 0 && !IPAddress.TryParse(ip, out _))
        {
            return Refuse(StatusCodes.Status400BadRequest, "The request is not valid.", $"{ApiKeyHeaders.ActorIp} is not an IP address.");
        }

        var sourceIp = ip.Length > 0 ? ip : http.Connection.RemoteIpAddress?.ToString();
        if (assertion.Length > 0 == credential.Length > 0)
        {
            return Refuse(StatusCodes.Status400BadRequest, "The request is not valid.",
                $"Name the actor with exactly one of {ApiKeyHeaders.ActorAssertion} or {ApiKeyHeaders.ActorCredential}.");
        }

        KeyActor? actor;
        if (assertion.Length > 0)
        {
            actor = await assertions.ValidateAsync(assertion) is { } person && WorkspaceRoles.IsKnown(person.Role)
                ? new KeyActor($"{ApiKeyVerifier.UserActorPrefix}{person.UserId}", KeyActorKinds.Person, person.WorkspaceId,
                    WorkspaceRoles.ScopesFor(person.Role), null, null, null, person.SourceIp ?? sourceIp)
                : null;
        }
        else
        {
            actor = CredentialFormats.Classify(credential) switch
            {
                CredentialKind.OAuthAccessToken => await FromOAuthTokenAsync(credential, sourceIp, ct),
                CredentialKind.ApiKey => await FromApiKeyAsync(credential, sourceIp, ct),
                _ => null,
            };
        }

        if (actor is null)
        {
            return Refuse(StatusCodes.Status403Forbidden, "Actor not verified.", "The acting person or credential could not be verified.");
        }

        if (actor.WorkspaceId != workspaceId)
        {
            return Refuse(StatusCodes.Status403Forbidden, "Not a member of this workspace.", "The actor does not act in this workspace.");
        }

        return (actor, null);
    }

    /// <exception cref="HttpRequestException">The AuthServer could not be asked (the caller answers 503).</exception>
    private async Task<KeyActor?> FromOAuthTokenAsync(string token, string? sourceIp, CancellationToken ct)
    {
        var verification = await oauthTokens.VerifyAsync(token, ct);
        if (verification.Credential is not { } credential || !Guid.TryParse(credential.WorkspaceId, out var workspaceId))
        {
            return null;
        }

        Guid? person = Guid.TryParse(credential.UserId, out var userId) ? userId : null;
        return new KeyActor($"oauth:{credential.CredentialId}", KeyActorKinds.OAuthClient, workspaceId, credential.Scopes,
            person, credential.AuthorizationId, time.GetUtcNow() + options.Value.DelegatedKeyMaxLifetime, sourceIp, credential.PlatformProfile);
    }

    private async Task<KeyActor?> FromApiKeyAsync(string secret, string? sourceIp, CancellationToken ct)
    {
        if (ApiKeyFormat.InvalidReason(ApiKeyFormat.Check(secret)) is not null)
        {
            return null;
        }

        var hash = hasher.Hash(secret);
        var now = time.GetUtcNow();
        var found = await db.ApiKeySecrets.AsNoTracking()
            .Where(s => s.Hash == hash)
            .Select(s => new { s.ApiKeyId, s.GraceExpiresAt, s.ApiKey.WorkspaceId, s.ApiKey.Scopes, s.ApiKey.ExpiresAt, s.ApiKey.RevokedAt, s.ApiKey.OnBehalfOfUserId, s.ApiKey.AuthorizationId, s.ApiKey.PlatformProfile })
            .SingleOrDefaultAsync(ct);
        if (found is null || found.RevokedAt is not null || found.ExpiresAt <= now || found.GraceExpiresAt <= now)
        {
            return null;
        }

        if (found.AuthorizationId is not null
            && await markers.AnyExistsAsync([RevocationSignals.OAuthAuthorization(found.AuthorizationId)], ct) == true)
        {
            return null;
        }

        // A key minted under a grant passes the grant on: what it mints dies with the grant, and outlives neither it nor the key.
        return new KeyActor($"key:{found.ApiKeyId}", KeyActorKinds.ApiKey, found.WorkspaceId, found.Scopes,
            found.OnBehalfOfUserId, found.AuthorizationId, found.AuthorizationId is null ? null : found.ExpiresAt, sourceIp, found.PlatformProfile);
    }

    private static (KeyActor?, KeyActorRefusal?) Refuse(int status, string title, string detail) => (null, new KeyActorRefusal(status, title, detail));
}
