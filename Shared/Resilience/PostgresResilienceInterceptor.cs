using System.Data.Common;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql.EntityFrameworkCore.PostgreSQL.Storage.Internal;
using Polly;
using Polly.Registry;

namespace AlyAspire.Shared.Resilience;

/// <summary>
/// Runs every EF Core command and connection opening made on a request's path inside the
/// <see cref="DependencyPipelines.Postgres"/> pipeline (deadline and circuit breaker), so a stalled or absent
/// PostgreSQL fails a request within the deadline, and at once while the breaker is open. The driver sees the
/// deadline through a <see cref="DedicatedThreadCancellation"/>, so its cancel request never blocks a timer, and the request
/// does not wait for that cancel request (<see cref="AbandonedConnectionWork"/>). Work off a request
/// (migrations, background flushers) keeps the driver's own timeouts: it has nobody waiting and may take longer.
/// </summary>
public sealed class PostgresResilienceInterceptor(ResiliencePipelineProvider<string> pipelines, IHttpContextAccessor http) : DbCommandInterceptor
{
    private readonly ResiliencePipeline _pipeline = pipelines.GetPipeline(DependencyPipelines.Postgres);

    internal bool OnRequestPath => http.HttpContext is not null;

    public override async ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(
        DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
    {
        if (!OnRequestPath || result.HasResult)
        {
            return result;
        }

        var reader = await _pipeline.ExecuteAsync(static (command, ct) => new ValueTask<DbDataReader>(
            AbandonedConnectionWork.RunCommandAsync(command, static (c, t) => c.ExecuteReaderAsync(t), ct)), command, cancellationToken);
        return InterceptionResult<DbDataReader>.SuppressWithResult(reader);
    }

    public override async ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(
        DbCommand command, CommandEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        if (!OnRequestPath || result.HasResult)
        {
            return result;
        }

        var rows = await _pipeline.ExecuteAsync(static (command, ct) => new ValueTask<int>(
            AbandonedConnectionWork.RunCommandAsync(command, static (c, t) => c.ExecuteNonQueryAsync(t), ct)), command, cancellationToken);
        return InterceptionResult<int>.SuppressWithResult(rows);
    }

    public override async ValueTask<InterceptionResult<object>> ScalarExecutingAsync(
        DbCommand command, CommandEventData eventData, InterceptionResult<object> result, CancellationToken cancellationToken = default)
    {
        if (!OnRequestPath || result.HasResult)
        {
            return result;
        }

        var scalar = await _pipeline.ExecuteAsync(static (command, ct) => new ValueTask<object?>(
            AbandonedConnectionWork.RunCommandAsync(command, static (c, t) => c.ExecuteScalarAsync(t), ct)), command, cancellationToken);
        return InterceptionResult<object>.SuppressWithResult(scalar!);
    }

    /// <summary>Opening a connection (a new one, when the pool has none idle) under the same deadline and breaker.</summary>
    public sealed class ConnectionOpening(ResiliencePipelineProvider<string> pipelines, IHttpContextAccessor http) : DbConnectionInterceptor
    {
        private readonly ResiliencePipeline _pipeline = pipelines.GetPipeline(DependencyPipelines.Postgres);

        public override async ValueTask<InterceptionResult> ConnectionOpeningAsync(
            DbConnection connection, ConnectionEventData eventData, InterceptionResult result, CancellationToken cancellationToken = default)
        {
            if (http.HttpContext is null || result.IsSuppressed)
            {
                return result;
            }

            await _pipeline.ExecuteAsync(static (connection, ct) => new ValueTask<bool>(
                AbandonedConnectionWork.RunAsync(connection, static async (c, t) => { await c.OpenAsync(t); return true; }, connection, ct)), connection, cancellationToken);
            return InterceptionResult.Suppress();
        }
    }
}

public static class PostgresResilienceExtensions
{
    /// <summary>Npgsql's connect timeout on the services' connection strings, which also bounds its cancel requests.</summary>
    public const int ConnectTimeoutSeconds = 2;

    /// <summary>
    /// Puts <typeparamref name="TContext"/>'s request-path commands behind the PostgreSQL pipeline. Needs
    /// <see cref="DependencyPipelines.AddDependencyResilience"/>; pair it with <see cref="FailFast"/> on the connection string.
    /// </summary>
    public static IServiceCollection AddPostgresResilience<TContext>(this IServiceCollection services) where TContext : DbContext
    {
        services.AddSingleton<PostgresResilienceInterceptor>();
        services.AddSingleton<PostgresResilienceInterceptor.ConnectionOpening>();
#pragma warning disable EF1001 // the provider's connection, replaced: see DeferringNpgsqlRelationalConnection
        services.ConfigureDbContext<TContext>((sp, options) => options
                .AddInterceptors(
                    sp.GetRequiredService<PostgresResilienceInterceptor>(),
                    sp.GetRequiredService<PostgresResilienceInterceptor.ConnectionOpening>())
                .ReplaceService<INpgsqlRelationalConnection, DeferringNpgsqlRelationalConnection>()
                // A failed command surfaces as an exception that is answered (503, or the last-resort 500) and logged once
                // where it is answered. EF Core would also log each one at Error with its full stack, several times per
                // request: while PostgreSQL stalls that is thousands of stack traces a second, and formatting them took
                // the CPU the requests needed (answers waited 15 s behind the logging).
                .ConfigureWarnings(warnings => warnings.Log(
                    (RelationalEventId.CommandError, LogLevel.Debug),
                    (RelationalEventId.ConnectionError, LogLevel.Debug),
                    (CoreEventId.QueryIterationFailed, LogLevel.Debug),
                    (CoreEventId.SaveChangesFailed, LogLevel.Debug))),
            ServiceLifetime.Singleton);
#pragma warning restore EF1001
        return services;
    }

    /// <summary>
    /// The connection string with Npgsql told not to wait for the server to acknowledge a cancelled command
    /// (<c>Cancellation Timeout=-1</c>), to give up connecting after <see cref="ConnectTimeoutSeconds"/>, and not to
    /// reset pooled connections.
    /// </summary>
    /// <remarks>
    /// The connect timeout matters for cancellation too: Npgsql cancels a command by sending PostgreSQL a cancel request
    /// on a new connection and then waiting, synchronously and in the cancelling thread, for the server to close it,
    /// bounded only by this timeout (15 s by default). A stalled server never closes it, so every command the deadline
    /// cancelled held a thread and its connection for 15 s. With 2 s, at most those 2 s; the request itself is answered
    /// at the deadline (<see cref="AbandonedConnectionWork"/>). (1 s was tried: on a loaded machine honest connection openings, SCRAM included,
    /// took longer, and a service failed its start.) Migrations connect with a longer timeout.
    /// <para>
    /// <c>No Reset On Close=true</c>: a pooled connection's next command otherwise carries the pool's reset
    /// (<c>DISCARD ALL</c>) ahead of it, and while Npgsql reads the answers to such prepended statements it ignores a
    /// cancellation altogether: a request that took a connection from the pool just as PostgreSQL stalled waited for the
    /// whole stall, deadline or not (measured: 10 s for a 10 s pause). The services set no session state a reset would
    /// have to undo; the migrations' session lock connects with the reset (<c>MigrateDbContextExtensions</c>).
    /// </para>
    /// </remarks>
    public static string? FailFast(string? connectionString)
    {
        if (string.IsNullOrEmpty(connectionString))
        {
            return connectionString;
        }

        var builder = new DbConnectionStringBuilder { ConnectionString = connectionString };
        builder["Cancellation Timeout"] = "-1";
        builder["Timeout"] = ConnectTimeoutSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        builder["No Reset On Close"] = "true";
        return builder.ConnectionString;
    }
}
