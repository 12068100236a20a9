using System.Globalization;
using System.Security.Claims;
using AlyAspire.AuthServer.Infrastructure;
using AlyAspire.Shared.Scopes;
using Microsoft.AspNetCore;
using Microsoft.Extensions.Options;
using OpenIddict.Abstractions;
using OpenIddict.Server;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace AlyAspire.AuthServer.OAuth;

/// <summary>
/// Answers a machine client's <c>client_credentials</c> grant ahead of OpenIddict's request pipeline, which costs
/// several milliseconds of CPU per grant (its validation and sign-in events, each a few dozen handlers, and a second
/// read of the application) where a machine client asks often. One read (<see cref="MachineClientGrant"/>) brings
/// the client, its application and its standing authorization; the token itself is still made by OpenIddict's token
/// generation (<see cref="GenerateTokenContext"/>: the same format, keys and one-write entry as any access token), and
/// the principal is the one its sign-in would make.
/// </summary>
/// <remarks>
/// Only the plain, valid case is answered here: a form with one value per parameter, a secret this process verified
/// recently (<see cref="ClientSecretVerificationCache"/>, so no PBKDF2 is paid here and no new secret is judged here),
/// the current or in-grace previous secret of a confidential client permitted the grant at this endpoint, scopes it
/// holds, no <c>resource</c>, a valid standing authorization. Anything else, errors included, goes on to OpenIddict,
/// which answers as it always has. A rotated or deleted client has another (or no) stored hash on the very next request.
/// </remarks>
public sealed class ClientCredentialsTokenIssuer(
    AuthDbContext db,
    IOpenIddictApplicationManager applications,
    ClientSecretVerificationCache secretMatches,
    IOpenIddictServerDispatcher dispatcher,
    IOptions<OAuthServerOptions> oauth,
    TimeProvider time) : IOpenIddictServerHandler<ProcessRequestContext>
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
        OpenIddictServerHandlerDescriptor.CreateBuilder<ProcessRequestContext>()
            .AddFilter<OpenIddictServerHandlerFilters.RequireTokenRequest>()
            .AddFilter<OpenIddictServerHandlerFilters.RequireDegradedModeDisabled>()
            .UseScopedHandler<ClientCredentialsTokenIssuer>()
            .SetOrder(OpenIddictServerHandlers.Exchange.ExtractTokenRequest.Descriptor.Order - 500)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public async ValueTask HandleAsync(ProcessRequestContext context)
    {
        if (context.Transaction.GetHttpRequest() is not { } http || await PresentedClientSecret.ReadFormAsync(http) is not { } form
            || form.Any(parameter => parameter.Value.Count != 1)
            || !PresentedClientSecret.TryRead(http, form, out var clientId, out var secret))
        {
            return;
        }

        var request = new OpenIddictRequest(form);
        if (!request.IsClientCredentialsGrantType() || request.Resources is { Length: > 0 } || request.Audiences is { Length: > 0 })
        {
            return;
        }

        var grant = await MachineClientGrant.FindAsync(db, clientId, context.CancellationToken);
        if (grant is not { Application: { ClientSecret: { } currentHash } application, Authorization.Status: Statuses.Valid }
            || !IsRecentMatch(secret, currentHash, grant.PreviousSecretHashAt(time.GetUtcNow()))
            || !await applications.HasClientTypeAsync(application, ClientTypes.Confidential, context.CancellationToken)
            || !await applications.HasPermissionAsync(application, Permissions.Endpoints.Token, context.CancellationToken)
            || !await applications.HasPermissionAsync(application, Permissions.GrantTypes.ClientCredentials, context.CancellationToken))
        {
            return;
        }

        var requested = request.GetScopes();
        foreach (var scope in requested)
        {
            if (!ScopeCatalogue.IsKnown(scope) || !grant.Scopes.Contains(scope, StringComparer.Ordinal)
                || !await applications.HasPermissionAsync(application, Permissions.Prefixes.Scope + scope, context.CancellationToken))
            {
                return;
            }
        }

        var scopes = grant.GrantedScopes(requested);
        if (scopes.Length == 0)
        {
            return;
        }

        context.Transaction.Request = request;
        DeferredTokenEntryHandler.SetClientApplicationId(context.Transaction, application.Id!);
        var principal = await AccessTokenPrincipalAsync(context, application, grant.CreateIdentity(clientId, scopes, oauth.Value.Resources), clientId);
        var token = new GenerateTokenContext(context.Transaction)
        {
            ClientId = clientId,
            CreateTokenEntry = !context.Options.DisableTokenStorage,
            IsReferenceToken = context.Options.UseReferenceAccessTokens,
            PersistTokenPayload = context.Options.UseReferenceAccessTokens,
            Principal = principal,
            TokenFormat = TokenFormats.Private.JsonWebToken,
            TokenType = TokenTypeIdentifiers.AccessToken,
        };
        await dispatcher.DispatchAsync(token);
        if (token.IsRejected || token.IsRequestHandled || token.IsRequestSkipped || string.IsNullOrEmpty(token.Token))
        {
            throw new InvalidOperationException("The access token of a client_credentials grant could not be generated.");
        }

        // As OpenIddict's sign-in answers: the lifetime left, and the scopes when they differ from those asked for.
        var response = new OpenIddictResponse
        {
            AccessToken = token.Token,
            TokenType = TokenTypes.Bearer,
            ExpiresIn = principal.GetExpirationDate() is { } expires ? (long)((expires - time.GetUtcNow()).TotalSeconds + .5) : null,
        };
        if (!scopes.ToHashSet(StringComparer.Ordinal).SetEquals(requested))
        {
            response.Scope = string.Join(' ', scopes);
        }

        await OpenIddictJsonDocuments.WriteUncachedAsync(http.HttpContext.Response, OpenIddictJsonDocuments.Serialize(response), context.CancellationToken);
        context.HandleRequest();
    }

    private bool IsRecentMatch(string secret, string currentHash, string? previousHash) =>
        secretMatches.IsKnownMatch(secret, currentHash) || (previousHash is not null && secretMatches.IsKnownMatch(secret, previousHash));

    /// <summary>
    /// The access token's principal as OpenIddict's sign-in prepares it for a grant with this identity: the client as
    /// presenter and <c>client_id</c>, the resources as audiences, the issuer, creation and expiration dates (the
    /// application's own access-token lifetime if it has one), and of the identity's other claims only those destined
    /// for the access token.
    /// </summary>
    private async ValueTask<ClaimsPrincipal> AccessTokenPrincipalAsync(
        ProcessRequestContext context, OpenIddict.EntityFrameworkCore.Models.OpenIddictEntityFrameworkCoreApplication application,
        ClaimsIdentity identity, string clientId)
    {
        var granted = new ClaimsPrincipal(identity);
        var principal = granted.Clone(claim => claim.Type switch
        {
            Claims.Subject or Claims.Private.AuthorizationId or Claims.Private.Scope => true,
            _ when claim.Type.StartsWith(Claims.Prefixes.Private, StringComparison.OrdinalIgnoreCase) => false,
            _ => claim.HasDestination(Destinations.AccessToken),
        });
        foreach (var claim in principal.Claims)
        {
            claim.Properties.Remove(Properties.Destinations);
        }

        var now = time.GetUtcNow();
        var settings = await applications.GetSettingsAsync(application, context.CancellationToken);
        var lifetime = settings.TryGetValue(Settings.TokenLifetimes.AccessToken, out var setting)
                       && TimeSpan.TryParse(setting, CultureInfo.InvariantCulture, out var configured)
            ? configured
            : context.Options.AccessTokenLifetime;

        principal.SetPresenters(clientId);
        principal.SetCreationDate(now);
        if (lifetime is { } value)
        {
            principal.SetExpirationDate(now + value);
        }

        principal.SetClaim(Claims.Private.Issuer, (context.Options.Issuer ?? context.BaseUri)?.AbsoluteUri);
        principal.SetAudiences(granted.GetResources());
        principal.SetClaim(Claims.ClientId, clientId);
        return principal;
    }
}
