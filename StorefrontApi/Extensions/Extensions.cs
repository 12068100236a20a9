using AlyAspire.StorefrontApi.Infrastructure;

namespace AlyAspire.StorefrontApi.Extensions;

internal static class Extensions
{
    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddNpgsqlDbContext<StoreDbContext>("storedb");
        builder.Services.AddMigration<StoreDbContext>();
        builder.AddRedisClient("redis");
    }
}
