using AlyAspire.RateLimiter.Decisions;
using AlyAspire.RateLimiter.Infrastructure;
using AlyAspire.RateLimiter.Limits;
using AlyAspire.Shared.Internal;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace AlyAspire.RateLimiter.Extensions;

internal static class Extensions
{
    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddNpgsqlDbContext<LimitsDbContext>("limitsdb");
        builder.Services.AddMigration<LimitsDbContext>();

        // Fail fast while Redis is down: a decision that waits is worse than one the caller makes locally.
        builder.AddRedisClient("redis", configureOptions: options =>
        {
            options.AbortOnConnectFail = false;
            options.BacklogPolicy = BacklogPolicy.FailFast;
        });

        builder.Services.AddOptions<RateLimitOptions>()
            .BindConfiguration(RateLimitOptions.SectionName)
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<RateLimitOptions>, RateLimitOptionsValidator>();

        builder.Services.AddMemoryCache();
        builder.Services.AddSingleton<WorkspaceLimitPolicies>();
        builder.Services.AddSingleton<LimitPolicyChangeSignals>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<LimitPolicyChangeSignals>());
        builder.Services.AddSingleton<GcraDecisionStore>();
        builder.Services.AddSingleton<RateLimitingMetrics>();

        builder.Services.AddGrpc();
        builder.Services.AddInternalServiceAuthentication();
    }
}
