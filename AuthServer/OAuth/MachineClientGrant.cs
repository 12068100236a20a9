using System.Security.Claims;
using AlyAspire.AuthServer.Infrastructure;
using AlyAspire.Shared.Credentials;
using Microsoft.EntityFrameworkCore;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Abstractions;
using OpenIddict.EntityFrameworkCore.Models;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace AlyAspire.AuthServer.OAuth;

/// <summary>
/// What a <c>client_credentials</c> grant of a machine client (<see cref="MachineClient"/>) needs, read in one round
/// trip: the client's workspace, scopes and binding, its OpenIddict application (the current secret's hash and the
/// permissions) and its standing authorization's status. Not tracked: the token entry written next needs only their
/// ids. Both ways a grant is answered use it: OpenIddict's pipeline
/// (<see cref="ClientCredentialsGrantHandler"/>) and <see cref="ClientCredentialsTokenIssuer"/>.
/// </summary>
public sealed class MachineClientGrant
{
    private static readonly Func<AuthDbContext, string, CancellationToken, Task<MachineClientGrant?>> ByClientId =
        EF.CompileAsyncQuery((AuthDbContext db, string clientId, CancellationToken _) =>
            db.MachineClients.AsNoTracking()
                .Where(c => c.ClientId == clientId)
                .Select(c => new MachineClientGrant
                {
                    WorkspaceId = c.WorkspaceId,
                    Scopes = c.Scopes,
                    AuthorizationId = c.AuthorizationId,
                    PlatformProfile = c.PlatformProfile,
                    PreviousSecretHash = c.PreviousSecretHash,
                    PreviousSecretValidUntil = c.PreviousSecretValidUntil,
                    Application = db.Set<OpenIddictEntityFrameworkCoreApplication>().FirstOrDefault(a => a.Id == c.ApplicationId),
                    Authorization = db.Set<OpenIddictEntityFrameworkCoreAuthorization>().FirstOrDefault(a => a.Id == c.AuthorizationId),
                })
                .FirstOrDefault());

    public Guid WorkspaceId { get; init; }

    public string[] Scopes { get; init; } = [];

    public string AuthorizationId { get; init; } = string.Empty;

    public string? PlatformProfile { get; init; }

    public string? PreviousSecretHash { get; init; }

    public DateTimeOffset? PreviousSecretValidUntil { get; init; }

    public OpenIddictEntityFrameworkCoreApplication? Application { get; init; }

    public OpenIddictEntityFrameworkCoreAuthorization? Authorization { get; init; }

    public static Task<MachineClientGrant?> FindAsync(AuthDbContext db, string clientId, CancellationToken cancellationToken) =>
        ByClientId(db, clientId, cancellationToken);

    /// <summary>The previous secret's hash while its grace period lasts, else null.</summary>
    public string? PreviousSecretHashAt(DateTimeOffset now) =>
        PreviousSecretHash is not null && PreviousSecretValidUntil > now ? PreviousSecretHash : null;

    /// <summary>The scopes a grant gets: all of the client's when the request names none, else those named that the client holds.</summary>
    public string[] GrantedScopes(IReadOnlyCollection<string> requested) =>
        requested.Count == 0 ? [.. Scopes] : requested.Intersect(Scopes, StringComparer.Ordinal).ToArray();

    /// <summary>
    /// The token's identity: the client itself as subject (RFC 9068 §2.2: no resource owner), the workspace
    /// (<c>org</c>), the UCP platform profile the client is bound to (<see cref="AgentClaimTypes.PlatformProfile"/>,
    /// if any), the scopes and resources, and the standing authorization, whose revocation marker kills every token at
    /// once when the client is deleted. Only the subject, the workspace and the profile go into the access token.
    /// </summary>
    public ClaimsIdentity CreateIdentity(string clientId, IEnumerable<string> scopes, IEnumerable<string> resources)
    {
        var identity = new ClaimsIdentity(TokenValidationParameters.DefaultAuthenticationType, Claims.Name, Claims.Role);
        identity.SetClaim(Claims.Subject, clientId)
            .SetClaim(AgentClaimTypes.WorkspaceId, WorkspaceId.ToString())
            .SetClaim(AgentClaimTypes.PlatformProfile, PlatformProfile);
        identity.SetScopes(scopes);
        identity.SetResources(resources);
        identity.SetAuthorizationId(AuthorizationId);
        identity.SetDestinations(claim => claim.Type switch
        {
            Claims.Subject or AgentClaimTypes.WorkspaceId or AgentClaimTypes.PlatformProfile => [Destinations.AccessToken],
            _ => [],
        });
        return identity;
    }
}
