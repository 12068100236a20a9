using AlyAspire.RateLimiter.Infrastructure;

namespace AlyAspire.RateLimiter.Extensions;

internal static class Extensions
{
    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddNpgsqlDbContext<LimitsDbContext>("limitsdb");
        builder.Services.AddMigration<LimitsDbContext>();
        builder.AddRedisClient("redis");
    }
}
