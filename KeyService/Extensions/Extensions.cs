using AlyAspire.KeyService.Infrastructure;
using AlyAspire.KeyService.Services;
using AlyAspire.Shared.Internal;

namespace AlyAspire.KeyService.Extensions;

internal static class Extensions
{
    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddNpgsqlDbContext<KeysDbContext>("keysdb");
        builder.Services.AddMigration<KeysDbContext>();
        builder.AddRedisClient("redis");

        builder.Services.AddInternalServiceAuthentication();
        // An unreadable request (bad JSON, wrong route value) is the caller's error: a 400 problem, not a 500,
        // worded with the framework's defaults for its status.
        builder.Services.AddBadRequestProblems();

        builder.Services.AddOptions<ApiKeyHashingOptions>()
            .BindConfiguration(ApiKeyHashingOptions.Section)
            .Validate(o => o.HashSecret.Length >= 32, "ApiKeys:HashSecret must be set to a secret of at least 32 characters.")
            .ValidateOnStart();

        builder.Services.AddSingleton<ApiKeyHasher>();
        builder.Services.AddSingleton<RevocationPublisher>();
    }
}
