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
/// authenticated the client and checked its grant and scope permissions; this builds the token's principal
/// (<see cref="MachineClientGrant.CreateIdentity"/>). Most grants never get here: <see cref="ClientCredentialsTokenIssuer"/>
/// answers a well-formed request from a client whose secret was verified recently before OpenIddict's pipeline.
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
        var client = clientId is null ? null : await MachineClientGrant.FindAsync(db, clientId, context.CancellationToken);
        if (client is null)
        {
            // Only machine clients hold the grant's permission; this is a second line, not the first.
            context.Reject(Errors.UnauthorizedClient, "Only a workspace's machine clients may use the client_credentials grant.");
            return;
        }

        var resources = context.Request.GetResources() is { Length: > 0 } named ? named : [.. oauth.Value.Resources];
        var identity = client.CreateIdentity(clientId!, client.GrantedScopes(context.Request.GetScopes()), resources);
        context.SignIn(new ClaimsPrincipal(identity));
    }
}
