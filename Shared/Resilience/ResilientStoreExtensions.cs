using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;

namespace AlyAspire.Shared.Resilience;

/// <summary>
/// How every service connects to its stores: Aspire's client integrations (health checks, traces, metrics) with
/// the platform's fail-fast settings and the <see cref="DependencyPipelines"/> around request-path calls.
/// </summary>
public static class ResilientStoreExtensions
{
    /// <summary>
    /// Aspire's <c>AddNpgsqlDbContext</c> without EF Core's retrying execution strategy (a request must not wait
    /// through six retries of a stalled server; it gets a 503 and retries itself), with a connection string that
    /// does not wait for a cancelled command's acknowledgement, and with request-path commands behind the PostgreSQL
    /// pipeline.
    /// </summary>
    public static IHostApplicationBuilder AddResilientNpgsqlDbContext<TContext>(
        this IHostApplicationBuilder builder, string connectionName, Action<DbContextOptionsBuilder>? configureDbContextOptions = null)
        where TContext : DbContext
    {
        builder.Services.AddDependencyResilience();
        builder.AddNpgsqlDbContext<TContext>(connectionName, settings =>
        {
            settings.ConnectionString = PostgresResilienceExtensions.FailFast(settings.ConnectionString);
            settings.DisableRetry = true;
        }, configureDbContextOptions);
        builder.Services.AddPostgresResilience<TContext>();
        return builder;
    }

    /// <summary>Aspire's <c>AddRedisClient</c> with <see cref="RedisFailFast"/>'s settings.</summary>
    public static IHostApplicationBuilder AddResilientRedisClient(this IHostApplicationBuilder builder, string connectionName)
    {
        builder.Services.AddDependencyResilience();
        builder.AddRedisClient(connectionName, configureOptions: RedisFailFast.Configure);
        return builder;
    }
}
