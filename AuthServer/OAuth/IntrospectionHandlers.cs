using AlyAspire.AgentGate;
using AlyAspire.Shared.Credentials;
using OpenIddict.Abstractions;
using OpenIddict.Server;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace AlyAspire.AuthServer.OAuth;

/// <summary>
/// Who may introspect: the platform's resource servers (confidential clients listed in
/// <see cref="OAuthServerOptions.ResourceServerClients"/>) for any access token, and a client for its own tokens.
/// Replaces OpenIddict's audience check, since an access token's audiences are resource URLs, not client ids.
/// </summary>
public sealed class IntrospectionCallerHandler(Microsoft.Extensions.Options.IOptions<OAuthServerOptions> options)
    : IOpenIddictServerHandler<ValidateIntrospectionRequestContext>
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
        OpenIddictServerHandlerDescriptor.CreateBuilder<ValidateIntrospectionRequestContext>()
            .UseSingletonHandler<IntrospectionCallerHandler>()
            .SetOrder(OpenIddictServerHandlers.Introspection.ValidateAuthorizedParty.Descriptor.Order)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public ValueTask HandleAsync(ValidateIntrospectionRequestContext context)
    {
        var caller = context.Request.ClientId;
        var principal = context.GenericTokenPrincipal;
        if (principal is null || caller is null)
        {
            return ValueTask.CompletedTask;
        }

        var isResourceServer = options.Value.ResourceServerClients.Contains(caller, StringComparer.Ordinal);
        var isPresenter = principal.HasPresenter(caller) || string.Equals(principal.GetClaim(Claims.ClientId), caller, StringComparison.Ordinal);
        if (!(isResourceServer && principal.HasTokenType(TokenTypeIdentifiers.AccessToken)) && !isPresenter)
        {
            context.Reject(Errors.InvalidToken, "The client is not allowed to introspect this token.");
        }

        return ValueTask.CompletedTask;
    }
}

/// <summary>
/// Everything a resource server needs to build an agent principal from an introspected access token: its
/// workspace (<c>org</c>), scopes, client, the UCP platform profile its client is bound to (a machine client's, if any)
/// and the authorization it was issued under (for revocation markers).
/// </summary>
public sealed class IntrospectionClaimsHandler(Microsoft.Extensions.Options.IOptions<OAuthServerOptions> options)
    : IOpenIddictServerHandler<HandleIntrospectionRequestContext>
{

    public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
        OpenIddictServerHandlerDescriptor.CreateBuilder<HandleIntrospectionRequestContext>()
            .UseSingletonHandler<IntrospectionClaimsHandler>()
            .SetOrder(OpenIddictServerHandlers.Introspection.AttachApplicationClaims.Descriptor.Order + 1_000)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public ValueTask HandleAsync(HandleIntrospectionRequestContext context)
    {
        var principal = context.GenericTokenPrincipal;
        var caller = context.Request.ClientId;
        if (principal is null || caller is null || !principal.HasTokenType(TokenTypeIdentifiers.AccessToken)
            || !options.Value.ResourceServerClients.Contains(caller, StringComparer.Ordinal))
        {
            return ValueTask.CompletedTask;
        }

        context.Scopes.UnionWith(principal.GetScopes());
        // The token entry's id, not the JWT id: it is what revocation markers are keyed by.
        context.TokenId = principal.GetTokenId() ?? context.TokenId;
        context.ClientId ??= principal.GetClaim(Claims.ClientId);
        if (principal.GetClaim(AgentClaimTypes.WorkspaceId) is { } workspaceId)
        {
            context.Claims[AgentClaimTypes.WorkspaceId] = workspaceId;
        }

        if (principal.GetClaim(AgentClaimTypes.PlatformProfile) is { } platformProfile)
        {
            context.Claims[AgentClaimTypes.PlatformProfile] = platformProfile;
        }

        if (principal.GetAuthorizationId() is { } authorizationId)
        {
            context.Claims[OAuthTokenVerifier.AuthorizationIdClaim] = authorizationId;
        }

        if (context.Audiences.Count == 0)
        {
            foreach (var audience in principal.GetAudiences())
            {
                context.Audiences.Add(audience);
            }
        }

        return ValueTask.CompletedTask;
    }
}
