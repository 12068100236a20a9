using AlyAspire.KeyService.Infrastructure;

namespace AlyAspire.KeyService.Extensions;

internal static class Extensions
{
    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddNpgsqlDbContext<KeysDbContext>("keysdb");
        builder.Services.AddMigration<KeysDbContext>();
        builder.AddRedisClient("redis");
    }
}
