using AlyAspire.Shared.OAuth;
using AlyAspire.AuthServer.Infrastructure;
using AlyAspire.AuthServer.OAuth;
using AlyAspire.AuthServer.People;
using AlyAspire.AuthServer.Sessions;
using AlyAspire.AuthServer.Throttling;
using AlyAspire.Shared.ApiKeys;
using AlyAspire.Shared.Scopes;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;
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

        builder.AddNpgsqlDbContext<AuthDbContext>("authdb", configureDbContextOptions: options => options.UseOpenIddict());
        services.AddMigration<AuthDbContext>(AuthDbSeed.SeedAsync);
        builder.AddRedisClient("redis");

        // Antiforgery tokens must survive a restart: the keys live in authdb.
        services.AddDataProtection().SetApplicationName("AlyAspire.AuthServer").PersistKeysToDbContext<AuthDbContext>();

        services.AddOptions<DashboardSessionOptions>().BindConfiguration(DashboardSessionOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<OAuthServerOptions>()
            .BindConfiguration(OAuthServerOptions.Section)
            .Configure<IConfiguration>((options, configuration) =>
                options.StorefrontApiBaseUrl = configuration["ResourceServers:StorefrontApi"] ?? options.StorefrontApiBaseUrl)
            .ValidateDataAnnotations()
            .ValidateOnStart();

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
        services.AddSingleton<SessionTokens>();
        services.AddSingleton<RevocationSignalPublisher>();
        services.AddApiKeyClient();

        services.AddAuthentication(SessionAuthenticationHandler.SchemeName)
            .AddScheme<Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions, SessionAuthenticationHandler>(SessionAuthenticationHandler.SchemeName, null);
        services.AddAuthorizationBuilder().AddDashboardPolicies();

        builder.AddOpenIddictServer();

        services.AddRazorPages(options =>
        {
            options.Conventions.AuthorizeFolder("/Settings", DashboardPolicies.SignedIn);
            options.Conventions.AuthorizePage("/Index", DashboardPolicies.SignedIn);
            options.Conventions.AuthorizePage("/ConnectedApps", DashboardPolicies.SignedIn);
            options.Conventions.AuthorizePage("/Team", DashboardPolicies.SignedIn);
        });
        services.AddAntiforgery(options => options.Cookie.Name = "aly_antiforgery");

        services.AddThrottling();
    }

    private static void AddOpenIddictServer(this IHostApplicationBuilder builder)
    {
        var oauth = new OAuthServerOptions { StorefrontApiBaseUrl = builder.Configuration["ResourceServers:StorefrontApi"] ?? string.Empty };
        var isDevelopment = builder.Environment.IsDevelopment();

        builder.Services.AddOpenIddict()
            .AddCore(core =>
            {
                core.UseEntityFrameworkCore().UseDbContext<AuthDbContext>();
                core.ReplaceApplicationManager<OpenIddictEntityFrameworkCoreApplication, LoopbackRedirectUriApplicationManager>();
                core.ReplaceAuthorizationManager<OpenIddictEntityFrameworkCoreAuthorization, RevocationSignalingAuthorizationManager>();
                core.ReplaceTokenManager<OpenIddictEntityFrameworkCoreToken, RevocationSignalingTokenManager>();
            })
            .AddServer(server =>
            {
                server.SetAuthorizationEndpointUris("oauth/authorize")
                    .SetTokenEndpointUris("oauth/token")
                    .SetRevocationEndpointUris("oauth/revoke")
                    .SetIntrospectionEndpointUris(OAuthTokenVerifier.IntrospectionPath.TrimStart('/'))
                    .SetConfigurationEndpointUris(".well-known/openid-configuration", ".well-known/oauth-authorization-server");

                // OAuth 2.1: authorization code with PKCE (S256 only) and refresh tokens; no implicit, no password.
                server.AllowAuthorizationCodeFlow().AllowRefreshTokenFlow();
                server.RequireProofKeyForCodeExchange();
                server.Configure(options =>
                {
                    options.CodeChallengeMethods.Clear();
                    options.CodeChallengeMethods.Add(CodeChallengeMethods.Sha256);
                });

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
                    .AddEventHandler(PrefixedReferenceTokenHandler.Descriptor)
                    .AddEventHandler(RefreshTokenIssuanceHandler.Descriptor)
                    .AddEventHandler(ConsumeCodeOnFailedRedemptionHandler.Descriptor)
                    .AddEventHandler(DiscoveryMetadataHandler.Descriptor)
                    .AddEventHandler(ClientMetadataDocumentHandler.Descriptor)
                    .RemoveEventHandler(OpenIddictServerHandlers.Introspection.ValidateAuthorizedParty.Descriptor)
                    .AddEventHandler(IntrospectionCallerHandler.Descriptor)
                    .AddEventHandler(IntrospectionClaimsHandler.Descriptor);

                var aspNetCore = server.UseAspNetCore().EnableAuthorizationEndpointPassthrough().EnableErrorPassthrough();
                if (isDevelopment)
                {
                    // Plain http on loopback in development only; everywhere else OpenIddict insists on TLS.
                    aspNetCore.DisableTransportSecurityRequirement();
                }
            });

        builder.Services.AddSingleton<Microsoft.Extensions.Options.IConfigureOptions<OpenIddictServerOptions>, ServerCertificateStore>();
    }
}
