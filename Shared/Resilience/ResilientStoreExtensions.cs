using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace AlyAspire.Shared.Resilience;

/// <summary>
/// How every service connects to its stores: Aspire's client integrations (health checks, traces, metrics) with
/// the platform's fail-fast settings and the <see cref="DependencyPipelines"/> around request-path calls.
/// </summary>
public static class ResilientStoreExtensions
{
    /// <summary>
    /// <typeparamref name="TContext"/> on <paramref name="connectionName"/>'s database, enriched by Aspire's client
    /// integration (health check, traces, metrics), with the platform's fail-fast connection string
    /// (<see cref="PostgresResilienceExtensions.FailFast"/>), without EF Core's retrying execution strategy (a request
    /// must not wait through six retries of a stalled server; it gets a 503 and retries itself), and with request-path
    /// commands behind the PostgreSQL pipeline.
    /// </summary>
    /// <remarks>
    /// Not pooled (Aspire's <c>AddNpgsqlDbContext</c> pools): a command abandoned at its deadline keeps its connection
    /// busy for up to two seconds (<see cref="AbandonedConnectionWork"/>), and a pooled context would hand that
    /// connection to the next request.
    /// </remarks>
    public static IHostApplicationBuilder AddResilientNpgsqlDbContext<TContext>(
        this IHostApplicationBuilder builder, string connectionName, Action<DbContextOptionsBuilder>? configureDbContextOptions = null)
        where TContext : DbContext
    {
        builder.Services.AddDependencyResilience();
        var connectionString = WithPreparedStatements(PostgresResilienceExtensions.FailFast(builder.Configuration.GetConnectionString(connectionName)));
        // The options are built once, not for every context: each request's context otherwise rebuilt and compared
        // them (and their service-provider cache key) again, a visible share of a token grant's CPU (bench/Peers profile).
        builder.Services.AddDbContext<TContext>(options =>
        {
            options.UseNpgsql(connectionString);
            configureDbContextOptions?.Invoke(options);
        }, contextLifetime: ServiceLifetime.Scoped, optionsLifetime: ServiceLifetime.Singleton);
        // The fail-fast connection string goes into Enrich's settings too, so nothing it configures connects without it.
        builder.EnrichNpgsqlDbContext<TContext>(settings =>
        {
            settings.DisableRetry = true;
            settings.ConnectionString = connectionString;
        });
        builder.Services.AddPostgresResilience<TContext>();
        return builder;
    }

    /// <summary>
    /// Npgsql prepares the statements a connection runs most (<c>Max Auto Prepare</c>, after
    /// <c>Auto Prepare Min Usages</c> runs): PostgreSQL then no longer parses and plans the same few request-path
    /// statements on every request, which was most of its CPU per token grant (bench/Peers profile). Prepared
    /// statements live with the physical connection; the pool keeps them because connections are not reset on close
    /// (<see cref="PostgresResilienceExtensions.FailFast"/>).
    /// </summary>
    private static string? WithPreparedStatements(string? connectionString)
    {
        if (string.IsNullOrEmpty(connectionString))
        {
            return connectionString;
        }

        var builder = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = connectionString };
        builder["Max Auto Prepare"] = "64";
        builder["Auto Prepare Min Usages"] = "2";
        return builder.ConnectionString;
    }

    /// <summary>Aspire's <c>AddRedisClient</c> with <see cref="RedisFailFast"/>'s settings.</summary>
    public static IHostApplicationBuilder AddResilientRedisClient(this IHostApplicationBuilder builder, string connectionName)
    {
        builder.Services.AddDependencyResilience();
        builder.AddRedisClient(connectionName, configureOptions: RedisFailFast.Configure);
        return builder;
    }
}
