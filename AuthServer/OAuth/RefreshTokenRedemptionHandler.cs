using OpenIddict.Abstractions;
using OpenIddict.Server;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace AlyAspire.AuthServer.OAuth;

/// <summary>
/// A refresh token is redeemed once, also by requests that race each other: the request whose redemption is written
/// first gets tokens, and one that read the token as valid but lost the write is a second use, answered as a replay
/// is (the refresh token reuse leeway is zero): <c>invalid_grant</c>, and the grant's authorization and tokens revoked.
/// </summary>
/// <remarks>
/// OpenIddict's own redemption step (<see cref="OpenIddictServerHandlers.RedeemTokenEntry"/>) ignores a failed
/// redemption of a refresh token, to let concurrent refreshes of one client through; six refreshes sent at once with
/// one refresh token had got up to four token pairs, each a chain of its own that no reuse would ever reveal. This
/// runs just before it; the token it then finds is already redeemed.
/// </remarks>
public sealed class RefreshTokenRedemptionHandler(IOpenIddictTokenManager tokens, IOpenIddictAuthorizationManager authorizations)
    : IOpenIddictServerHandler<ProcessSignInContext>
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
        OpenIddictServerHandlerDescriptor.CreateBuilder<ProcessSignInContext>()
            .UseScopedHandler<RefreshTokenRedemptionHandler>()
            .SetOrder(OpenIddictServerHandlers.RedeemTokenEntry.Descriptor.Order - 1)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public async ValueTask HandleAsync(ProcessSignInContext context)
    {
        if (context.EndpointType is not OpenIddictServerEndpointType.Token || !context.Request.IsRefreshTokenGrantType()
            || context.Options.DisableRollingRefreshTokens
            || context.Transaction.GetProperty<ProcessAuthenticationContext>(typeof(ProcessAuthenticationContext).FullName!)
                is not { RefreshTokenPrincipal: { } presented }
            || presented.GetTokenId() is not { Length: > 0 } tokenId
            || await tokens.FindByIdAsync(tokenId, context.CancellationToken) is not { } token)
        {
            return;
        }

        if (await tokens.TryRedeemAsync(token, context.CancellationToken))
        {
            return;
        }

        if (await tokens.GetAuthorizationIdAsync(token, context.CancellationToken) is { } authorizationId)
        {
            // The authorization first: tokens the winning request is still writing belong to it and die with it.
            if (await authorizations.FindByIdAsync(authorizationId, context.CancellationToken) is { } authorization)
            {
                await authorizations.TryRevokeAsync(authorization, context.CancellationToken);
            }

            await tokens.RevokeByAuthorizationIdAsync(authorizationId, context.CancellationToken);
        }

        context.Reject(Errors.InvalidGrant, "The refresh token has already been used.");
    }
}
