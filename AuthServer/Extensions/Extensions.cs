using AlyAspire.AgentGate;
using AlyAspire.AuthServer.Email;
using AlyAspire.AuthServer.Infrastructure;
using AlyAspire.AuthServer.Outbox;
using AlyAspire.AuthServer.Audit;
using AlyAspire.AuthServer.Keys;
using AlyAspire.AuthServer.MachineClients;
using AlyAspire.AuthServer.OAuth;
using AlyAspire.AuthServer.People;
using AlyAspire.AuthServer.Sessions;
using AlyAspire.AuthServer.Throttling;
using AlyAspire.Shared.ApiKeys;
using AlyAspire.Shared.Http;
using AlyAspire.Shared.Internal;
using AlyAspire.Shared.Resilience;
using AlyAspire.Shared.Scopes;
using AlyAspire.Shared.Usage;
using AlyAspire.AuthServer.Usage;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.EntityFrameworkCore;
using OpenIddict.EntityFrameworkCore.Models;
using OpenIddict.Server;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace AlyAspire.AuthServer.Extensions;

internal static class Extensions
{
    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;

        // Deadlines and breakers on both stores: a stalled one answers 503 + Retry-After, never a hang.
        builder.AddResilientNpgsqlDbContext<AuthDbContext>("authdb", options => options.UseOpenIddict());
        services.AddMigration<AuthDbContext>(AuthDbSeed.SeedAsync);
        builder.AddResilientRedisClient("redis");

        // Antiforgery tokens must survive a restart: the keys live in authdb, sealed with the key-encryption key
        // (which also seals the OpenIddict certificates there).
        services.AddKeyEncryption();
        services.AddDataProtection().SetApplicationName("AlyAspire.AuthServer").PersistKeysToDbContext<AuthDbContext>();

        services.AddOptions<DashboardSessionOptions>().BindConfiguration(DashboardSessionOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<OAuthServerOptions>()
            .BindConfiguration(OAuthServerOptions.Section)
            .Configure<IConfiguration>((options, configuration) =>
                options.StorefrontApiBaseUrl = configuration["ResourceServers:StorefrontApi"] ?? options.StorefrontApiBaseUrl)
            .ValidateDataAnnotations()
            .Validate(o => OAuthServerOptions.IsValidIssuer(o.Issuer), "OAuth:Issuer must be an absolute URL without query or fragment.")
            .Validate(o => builder.Environment.IsDevelopment() || o.IssuerUri is { Scheme: "https" },
                "OAuth:Issuer must be set to the server's public https URL outside Development.")
            .ValidateOnStart();

        services.AddOptions<AccountOptions>().BindConfiguration(AccountOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<EmailOptions>().BindConfiguration(EmailOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<OutboxOptions>().BindConfiguration(OutboxOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        // Client ID metadata documents: fetched over a guarded connection (see ClientMetadataDocuments.CreateHandler).
        var development = builder.Environment.IsDevelopment();
        services.AddOptions<ClientMetadataDocumentOptions>().BindConfiguration(ClientMetadataDocumentOptions.Section)
            .Validate(o => development || (o.DevelopmentAllowedHosts.Length == 0 && o.DevelopmentTrustedCertificate is null),
                "OAuth:ClientMetadataDocuments:DevelopmentAllowedHosts and DevelopmentTrustedCertificate may only be set in Development.")
            .ValidateOnStart();
        services.AddMemoryCache();
        services.AddScoped<ClientMetadataDocuments>();
#pragma warning disable EXTEXP0001 // RemoveAllResilienceHandlers is experimental, but the supported way to opt one client out of the defaults
        services.AddHttpClient(ClientMetadataDocuments.HttpClientName)
            .RemoveAllResilienceHandlers() // one bounded attempt: retrying a refused or slow document only prolongs the refusal
            .ConfigurePrimaryHttpMessageHandler(sp => ClientMetadataDocuments.CreateHandler(
                sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<ClientMetadataDocumentOptions>>().Value, development));
#pragma warning restore EXTEXP0001

        services.AddSingleton<IPasswordHasher<User>, PasswordHasher<User>>();
        services.AddScoped<AccountService>();
        services.AddScoped<TeamService>();

        // Side effects committed with their change and delivered with retries: mail, revocation markers, key revocations.
        services.AddSingleton<IEmailSender, SmtpEmailSender>();
        services.AddScoped<OutboxWriter>();
        services.AddScoped<MailOutbox>();
        services.AddSingleton<IOutboxHandler, MailOutboxHandler>();
        services.AddSingleton<IOutboxHandler, RevocationMarkerOutboxHandler>();
        services.AddSingleton<IOutboxHandler, KeyRevocationOutboxHandler>();
        services.AddSingleton<OutboxDispatcher>();
        services.AddHostedService(sp => sp.GetRequiredService<OutboxDispatcher>());
        services.AddSingleton<SessionTokens>();
        services.AddSingleton<RevocationPublisher>();
        services.AddSingleton<ClientSecretVerificationCache>();
        services.AddSingleton<DiscoveryDocumentCache>();
        services.AddSingleton<ResourceServerCredentials>();
        services.AddSingleton<IntrospectionResponseCache>();
        services.TryAddSingleton<RevocationMarkers>();
        services.AddScoped<MachineClientService>();
        services.AddApiKeyClient();
        // Persons act on keys through assertions the KeyService verifies; revoked grants take their agents' keys along.
        services.AddActorAssertions();
        services.AddScoped<DashboardActors>();
        // One audit log per workspace; other services deliver to it (and read it) with the service credential.
        services.AddHttpContextAccessor();
        services.AddScoped<AuditTrail>();
        services.AddUsageClient();
        services.AddHttpClient<RateLimiterClient>(client => client.BaseAddress = new Uri("http://ratelimiter"))
            .AddInternalServiceCredential(PlatformServices.RateLimiter);

        services.AddAuthentication(SessionAuthenticationHandler.SchemeName)
            .AddScheme<Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions, SessionAuthenticationHandler>(SessionAuthenticationHandler.SchemeName, null);
        services.AddAuthorizationBuilder().AddDashboardPolicies();
        // Internal APIs (team, audit) are for the StorefrontApi and the KeyService, each with its own credential.
        services.AddInternalServiceAuthentication(PlatformServices.StorefrontApi, PlatformServices.KeyService);

        builder.AddOpenIddictServer();

        services.AddRazorPages(options =>
        {
            options.Conventions.AuthorizeFolder("/Settings", DashboardPolicies.SignedIn);
            options.Conventions.AuthorizePage("/Index", DashboardPolicies.SignedIn);
            options.Conventions.AuthorizePage("/ConnectedApps", DashboardPolicies.SignedIn);
            options.Conventions.AuthorizePage("/Team", DashboardPolicies.SignedIn);
            options.Conventions.AuthorizePage("/Workspaces", DashboardPolicies.SignedIn);
            options.Conventions.AuthorizePage("/Account/ChangePassword", DashboardPolicies.SignedIn);
            options.Conventions.AuthorizePage("/Audit", DashboardPolicies.SignedIn);
            options.Conventions.AuthorizePage("/Usage", DashboardPolicies.SignedIn);
        });
        services.AddAntiforgery(options => options.Cookie.Name = "aly_antiforgery");

        services.AddThrottling();
        services.AddTrustedForwardedHeaders();
        services.Configure<RequestLimitsOptions>(options =>
        {
            options.OAuthErrorPaths = ["/oauth"];
            options.ProblemType = Shared.Errors.ProblemTypes.Validation;
        });
    }

    private static void AddOpenIddictServer(this IHostApplicationBuilder builder)
    {
        var oauth = new OAuthServerOptions
        {
            StorefrontApiBaseUrl = builder.Configuration["ResourceServers:StorefrontApi"] ?? string.Empty,
            Issuer = builder.Configuration[$"{OAuthServerOptions.Section}:{nameof(OAuthServerOptions.Issuer)}"],
        };
        var isDevelopment = builder.Environment.IsDevelopment();

        builder.Services.AddOpenIddict()
            .AddCore(core =>
            {
                core.UseEntityFrameworkCore().UseDbContext<AuthDbContext>();
                core.ReplaceApplicationManager<OpenIddictEntityFrameworkCoreApplication, LoopbackRedirectUriApplicationManager>();
                core.ReplaceAuthorizationManager<OpenIddictEntityFrameworkCoreAuthorization, RevocationSignalingAuthorizationManager>();
                core.ReplaceTokenManager<OpenIddictEntityFrameworkCoreToken, RevocationSignalingTokenManager>();
                // The lookups of every client authentication and every presented token, as compiled queries.
                core.ReplaceApplicationStore<OpenIddictEntityFrameworkCoreApplication, CompiledLookupApplicationStore>();
                core.ReplaceTokenStore<OpenIddictEntityFrameworkCoreToken, CompiledLookupTokenStore>();
            })
            .AddServer(server =>
            {
                server.SetAuthorizationEndpointUris("oauth/authorize")
                    .SetTokenEndpointUris("oauth/token")
                    .SetRevocationEndpointUris("oauth/revoke")
                    .SetIntrospectionEndpointUris(OAuthTokenVerifier.IntrospectionPath.TrimStart('/'))
                    .SetConfigurationEndpointUris(".well-known/openid-configuration", ".well-known/oauth-authorization-server");

                // OAuth 2.1: authorization code with PKCE (S256 only) and refresh tokens; no implicit, no password.
                // Client credentials for a workspace's machine clients only (ClientCredentialsGrantHandler).
                server.AllowAuthorizationCodeFlow().AllowRefreshTokenFlow().AllowClientCredentialsFlow();
                server.RequireProofKeyForCodeExchange();
                server.Configure(options =>
                {
                    options.CodeChallengeMethods.Clear();
                    options.CodeChallengeMethods.Add(CodeChallengeMethods.Sha256);
                });

                // Behind an ingress the request's scheme and host are not the public ones: the issuer is pinned.
                if (OAuthServerOptions.IsValidIssuer(oauth.Issuer) && oauth.IssuerUri is { } issuer)
                {
                    server.SetIssuer(issuer);
                }

                server.RegisterScopes([.. ScopeCatalogue.Names]);
                if (oauth.StorefrontApiBaseUrl.Length > 0)
                {
                    server.RegisterResources([.. oauth.Resources]);
                }

                // Opaque tokens: the client sees aly_oauth_… / aly_refresh_…; only their hashes are stored.
                server.UseReferenceAccessTokens().UseReferenceRefreshTokens();
                server.SetAccessTokenLifetime(TimeSpan.FromHours(1));
                // A redeemed refresh token is dead at once: reuse revokes the chain instead of minting a second one.
                server.SetRefreshTokenReuseLeeway(TimeSpan.Zero);

                server.RemoveEventHandler(OpenIddictServerHandlers.Protection.AttachTokenPayload.Descriptor)
                    .RemoveEventHandler(OpenIddictServerHandlers.Protection.CreateTokenEntry.Descriptor)
                    .AddEventHandler(DeferredTokenEntryHandler.Descriptor)
                    .AddEventHandler(PrefixedReferenceTokenHandler.Descriptor)
                    .AddEventHandler(RefreshTokenIssuanceHandler.Descriptor)
                    .AddEventHandler(RefreshTokenRedemptionHandler.Descriptor)
                    .AddEventHandler(ClientCredentialsGrantHandler.Descriptor)
                    .AddEventHandler(ClientCredentialsTokenIssuer.Descriptor)
                    .AddEventHandler(ConsumeCodeOnFailedRedemptionHandler.Descriptor)
                    .AddEventHandler(DiscoveryMetadataHandler.Descriptor)
                    .AddEventHandler(DiscoveryDocumentCache.Serve.Descriptor)
                    .AddEventHandler(DiscoveryDocumentCache.Store.Descriptor)
                    .AddEventHandler(IntrospectionResponseCache.Serve.Descriptor)
                    .AddEventHandler(IntrospectionResponseCache.Store.Descriptor)
                    .AddEventHandler(ClientMetadataDocumentHandler.Descriptor)
                    .RemoveEventHandler(OpenIddictServerHandlers.Introspection.ValidateAuthorizedParty.Descriptor)
                    .AddEventHandler(IntrospectionCallerHandler.Descriptor)
                    .AddEventHandler(IntrospectionClaimsHandler.Descriptor)
                    .AddEventHandler(IntrospectionMembershipHandler.Descriptor)
                    .AddEventHandler(TokenRequestMembershipHandler.Descriptor);

                var aspNetCore = server.UseAspNetCore().EnableAuthorizationEndpointPassthrough().EnableErrorPassthrough();
                if (isDevelopment)
                {
                    // Plain http on loopback in development only; everywhere else OpenIddict insists on TLS.
                    aspNetCore.DisableTransportSecurityRequirement();
                }
            });

        builder.Services.AddSingleton<Microsoft.Extensions.Options.IConfigureOptions<OpenIddictServerOptions>, ServerCertificateStore>();
        // The platform's token manager by its own type too (PrefixedReferenceTokenHandler writes entries through it).
        builder.Services.AddScoped(sp => (RevocationSignalingTokenManager)sp.GetRequiredService<OpenIddict.Core.OpenIddictTokenManager<OpenIddictEntityFrameworkCoreToken>>());
    }
}
