using System.Security.Cryptography;
using AlyAspire.Shared.Credentials;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Abstractions;
using OpenIddict.Server;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace AlyAspire.AuthServer.OAuth;

/// <summary>
/// Takes the place of OpenIddict's <c>AttachTokenPayload</c> step: stores the token payload in its entry and,
/// for reference tokens, generates the identifier the client receives. Access tokens get
/// <see cref="CredentialFormats.OAuthAccessTokenPrefix"/> and refresh tokens
/// <see cref="CredentialFormats.OAuthRefreshTokenPrefix"/>, so a resource server can tell them apart by form.
/// The prefix is part of the identifier OpenIddict hashes and stores, so validation, revocation and
/// introspection look the full string up unchanged. An entry <see cref="DeferredTokenEntryHandler"/> only prepared is
/// inserted here, complete, in one statement; any other is updated, as OpenIddict does.
/// </summary>
public sealed class PrefixedReferenceTokenHandler(RevocationSignalingTokenManager tokenManager) : IOpenIddictServerHandler<GenerateTokenContext>
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
        OpenIddictServerHandlerDescriptor.CreateBuilder<GenerateTokenContext>()
            .AddFilter<OpenIddictServerHandlerFilters.RequireDegradedModeDisabled>()
            .AddFilter<OpenIddictServerHandlerFilters.RequireTokenStorageEnabled>()
            .AddFilter<OpenIddictServerHandlerFilters.RequireTokenPayloadPersisted>()
            .UseScopedHandler<PrefixedReferenceTokenHandler>()
            .SetOrder(OpenIddictServerHandlers.Protection.AttachTokenPayload.Descriptor.Order)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public async ValueTask HandleAsync(GenerateTokenContext context)
    {
        var identifier = context.Principal.GetTokenId()
            ?? throw new InvalidOperationException("The token entry was not created before its payload was attached.");
        var pending = DeferredTokenEntryHandler.Take(context.Transaction, identifier);
        var token = pending is null
            ? await tokenManager.FindByIdAsync(identifier) ?? throw new InvalidOperationException("The token entry could not be found.")
            : null;
        var descriptor = pending?.Descriptor ?? new OpenIddictTokenDescriptor();
        if (token is not null)
        {
            await tokenManager.PopulateAsync(descriptor, token);
        }

        descriptor.Payload = context.Token;
        descriptor.Principal = context.Principal;

        if (context.IsReferenceToken)
        {
            // 256 random bits, base64url: the same strength as OpenIddict's own reference identifiers.
            var random = Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(32));
            descriptor.ReferenceId = context.TokenType switch
            {
                TokenTypeIdentifiers.AccessToken => CredentialFormats.OAuthAccessTokenPrefix + random,
                TokenTypeIdentifiers.RefreshToken => CredentialFormats.OAuthRefreshTokenPrefix + random,
                _ => random,
            };
        }

        // The token manager obfuscates (hashes) the reference identifier before it is stored.
        if (token is not null)
        {
            await tokenManager.UpdateAsync(token, descriptor);
        }
        else
        {
            await tokenManager.InsertAsync(pending!.Id, descriptor, context.CancellationToken);
        }

        if (context.IsReferenceToken)
        {
            context.Token = descriptor.ReferenceId;
        }
    }
}
