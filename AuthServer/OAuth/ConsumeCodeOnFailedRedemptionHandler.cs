using OpenIddict.Abstractions;
using OpenIddict.Server;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace AlyAspire.AuthServer.OAuth;

/// <summary>
/// A failed redemption of an authorization code (wrong PKCE verifier, wrong client, wrong redirect URI)
/// consumes the code: whoever tried it may hold a stolen code, so the rightful client must start over.
/// OpenIddict only marks a code redeemed when the redemption succeeds.
/// </summary>
public sealed class ConsumeCodeOnFailedRedemptionHandler(IOpenIddictTokenManager tokens) : IOpenIddictServerHandler<ApplyTokenResponseContext>
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
        OpenIddictServerHandlerDescriptor.CreateBuilder<ApplyTokenResponseContext>()
            .UseScopedHandler<ConsumeCodeOnFailedRedemptionHandler>()
            .SetOrder(int.MinValue + 100_000)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public async ValueTask HandleAsync(ApplyTokenResponseContext context)
    {
        if (string.IsNullOrEmpty(context.Error) || context.Request is not { } request
            || !request.IsAuthorizationCodeGrantType() || string.IsNullOrEmpty(request.Code))
        {
            return;
        }

        var code = await tokens.FindByReferenceIdAsync(request.Code);
        if (code is not null && await tokens.HasStatusAsync(code, Statuses.Valid))
        {
            await tokens.TryRevokeAsync(code);
        }
    }
}
