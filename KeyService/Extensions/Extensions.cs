using AlyAspire.KeyService.Infrastructure;
using AlyAspire.KeyService.Services;
using AlyAspire.Shared.Http;
using AlyAspire.Shared.Internal;
using AlyAspire.Shared.Resilience;

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
        builder.Services.AddOptions<ApiKeyUsageOptions>()
            .BindConfiguration(ApiKeyHashingOptions.Section)
            .Validate(o => o.UsageFlushInterval > TimeSpan.Zero, "ApiKeys:UsageFlushInterval must be positive.")
            .ValidateOnStart();

        builder.Services.AddSingleton<ApiKeyHasher>();
        builder.Services.AddSingleton<RevocationPublisher>();
        builder.Services.AddSingleton<ApiKeyUsageRecorder>();
        builder.Services.AddHostedService<ApiKeyUsageFlusher>();
    }
}
