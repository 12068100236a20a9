using AlyAspire.AuthServer.Infrastructure;

namespace AlyAspire.AuthServer.Extensions;

internal static class Extensions
{
    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddNpgsqlDbContext<AuthDbContext>("authdb");
        builder.Services.AddMigration<AuthDbContext>();
        builder.AddRedisClient("redis");
    }
}
