using OpenIddict.Abstractions;
using OpenIddict.Server;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace AlyAspire.AuthServer.OAuth;

/// <summary>
/// Issues a refresh token with every code redemption and refresh to clients registered for the
/// <c>refresh_token</c> grant. OpenIddict ties refresh tokens to the OpenID <c>offline_access</c> scope, which is
/// not part of the platform's catalogue: OAuth 2.1 clients ask for the grant at registration instead.
/// </summary>
public sealed class RefreshTokenIssuanceHandler(IOpenIddictApplicationManager applications) : IOpenIddictServerHandler<ProcessSignInContext>
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
        OpenIddictServerHandlerDescriptor.CreateBuilder<ProcessSignInContext>()
            .UseScopedHandler<RefreshTokenIssuanceHandler>()
            .SetOrder(OpenIddictServerHandlers.EvaluateGeneratedTokens.Descriptor.Order + 1)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public async ValueTask HandleAsync(ProcessSignInContext context)
    {
        if (context.EndpointType != OpenIddictServerEndpointType.Token
            || !(context.Request.IsAuthorizationCodeGrantType() || context.Request.IsRefreshTokenGrantType())
            || string.IsNullOrEmpty(context.ClientId)
            || context.Options.GrantTypes.Contains(GrantTypes.RefreshToken) is false)
        {
            return;
        }

        var application = await applications.FindByClientIdAsync(context.ClientId);
        if (application is not null && await applications.HasPermissionAsync(application, Permissions.GrantTypes.RefreshToken))
        {
            context.GenerateRefreshToken = true;
            context.IncludeRefreshToken = true;
        }
    }
}
