using AlyAspire.KeyService.Infrastructure;
using AlyAspire.KeyService.Services;
using AlyAspire.Shared.Http;
using AlyAspire.Shared.Internal;
using AlyAspire.Shared.Resilience;
using AlyAspire.Shared.ApiKeys;
using AlyAspire.Shared.Audit;
using AlyAspire.AgentGate;

namespace AlyAspire.KeyService.Extensions;

internal static class Extensions
{
    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        // Deadlines and breakers on both stores: a stalled one answers 503 + Retry-After, never a hang.
        builder.AddResilientNpgsqlDbContext<KeysDbContext>("keysdb");
        builder.Services.AddMigration<KeysDbContext>();
        builder.AddResilientRedisClient("redis");

        // Its callers: the dashboard (management on behalf of a person) and the agent surfaces (verification, management).
        builder.Services.AddInternalServiceAuthentication(PlatformServices.AuthServer, PlatformServices.StorefrontApi);
        // An unreadable request (bad JSON, wrong route value) is the caller's error: a 400 problem, not a 500,
        // worded with the framework's defaults for its status.
        builder.Services.AddBadRequestProblems();
        builder.Services.AddTrustedForwardedHeaders();

        builder.Services.AddOptions<ApiKeyHashingOptions>()
            .BindConfiguration(ApiKeyHashingOptions.Section)
            .Validate(o => o.HashSecret.Length >= 32, "ApiKeys:HashSecret must be set to a secret of at least 32 characters.")
            .ValidateOnStart();

        builder.Services.AddOptions<DelegatedKeyOptions>().BindConfiguration(ApiKeyHashingOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        // Who acts is verified here: persons by the AuthServer's actor assertions, agents by their own credential
        // (API keys here, OAuth tokens by introspection at the AuthServer as the client "keyservice").
        builder.Services.AddActorAssertions();
        builder.Services.AddOAuthTokenVerification();
        builder.Services.AddScoped<KeyActors>();
        builder.Services.AddHostedService<GraceEndMarkerJob>();
        // Key events reach the workspace's audit log in the AuthServer from the audit records (the outbox).
        builder.Services.AddAuditClient();
        builder.Services.AddHostedService<AuditDelivery>();

        builder.Services.AddSingleton<ApiKeyHasher>();
        builder.Services.AddSingleton<RevocationPublisher>();
    }
}
