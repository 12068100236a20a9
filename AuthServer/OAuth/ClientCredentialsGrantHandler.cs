using System.Security.Claims;
using AlyAspire.AuthServer.Infrastructure;
using AlyAspire.Shared.Credentials;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Abstractions;
using OpenIddict.EntityFrameworkCore.Models;
using OpenIddict.Server;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace AlyAspire.AuthServer.OAuth;

/// <summary>
/// The <c>client_credentials</c> grant of a machine client (<see cref="MachineClient"/>). OpenIddict has already
/// authenticated the client and checked its grant and scope permissions; this builds the token's principal: the
/// client itself as subject (RFC 9068 §2.2: no resource owner), the workspace (<c>org</c>), the requested scopes (all
/// of the client's when none are named), the platform's resources, the UCP platform profile the client is bound to
/// (<see cref="AgentClaimTypes.PlatformProfile"/>, if any), and the client's standing authorization, whose
/// revocation marker kills every token at once when the client is deleted.
/// </summary>
public sealed class ClientCredentialsGrantHandler(AuthDbContext db, IOptions<OAuthServerOptions> oauth)
    : IOpenIddictServerHandler<HandleTokenRequestContext>
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
        OpenIddictServerHandlerDescriptor.CreateBuilder<HandleTokenRequestContext>()
            .UseScopedHandler<ClientCredentialsGrantHandler>()
            .SetOrder(OpenIddictServerHandlers.Exchange.AttachPrincipal.Descriptor.Order + 1_000)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public async ValueTask HandleAsync(HandleTokenRequestContext context)
    {
        if (!context.Request.IsClientCredentialsGrantType())
        {
            return;
        }

        var clientId = context.Request.ClientId;
        // The client's standing authorization comes with it, tracked: the token entry refers to it, and OpenIddict
        // finds it in this request's context instead of reading it a second time.
        var client = clientId is null ? null : await db.MachineClients.AsTracking()
            .Where(c => c.ClientId == clientId)
            .Select(c => new
            {
                c.WorkspaceId,
                c.Scopes,
                c.AuthorizationId,
                c.PlatformProfile,
                Authorization = db.Set<OpenIddictEntityFrameworkCoreAuthorization>().FirstOrDefault(a => a.Id == c.AuthorizationId),
            })
            .SingleOrDefaultAsync(context.CancellationToken);
        if (client is null)
        {
            // Only machine clients hold the grant's permission; this is a second line, not the first.
            context.Reject(Errors.UnauthorizedClient, "Only a workspace's machine clients may use the client_credentials grant.");
            return;
        }

        var requested = context.Request.GetScopes();
        var scopes = requested.IsDefaultOrEmpty ? [.. client.Scopes] : requested.Intersect(client.Scopes, StringComparer.Ordinal).ToArray();
        var resources = context.Request.GetResources() is { Length: > 0 } named ? named : [.. oauth.Value.Resources];

        var identity = new ClaimsIdentity(TokenValidationParameters.DefaultAuthenticationType, Claims.Name, Claims.Role);
        identity.SetClaim(Claims.Subject, clientId)
            .SetClaim(AgentClaimTypes.WorkspaceId, client.WorkspaceId.ToString())
            .SetClaim(AgentClaimTypes.PlatformProfile, client.PlatformProfile);
        identity.SetScopes(scopes);
        identity.SetResources(resources);
        identity.SetAuthorizationId(client.AuthorizationId);
        identity.SetDestinations(claim => claim.Type switch
        {
            Claims.Subject or AgentClaimTypes.WorkspaceId or AgentClaimTypes.PlatformProfile => [Destinations.AccessToken],
            _ => [],
        });

        context.SignIn(new ClaimsPrincipal(identity));
    }
}
