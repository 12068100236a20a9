using System.Data.Common;
using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Applies a service's EF Core migrations (and optional seed) at start-up, the eShop way.
/// Runs before the web host starts listening, so no request sees a half-migrated schema.
/// </summary>
public static class MigrateDbContextExtensions
{
    private static readonly ActivitySource ActivitySource = new(Extensions.AlyTelemetryPrefix + "Migrations");

    public static IServiceCollection AddMigration<TContext>(this IServiceCollection services)
        where TContext : DbContext
        => services.AddMigration<TContext>((_, _, _) => Task.CompletedTask);

    public static IServiceCollection AddMigration<TContext>(
        this IServiceCollection services,
        Func<TContext, IServiceProvider, CancellationToken, Task> seeder)
        where TContext : DbContext
    {
        services.AddHostedService(sp => new MigrationHostedService<TContext>(sp, seeder));
        return services;
    }

    private sealed class MigrationHostedService<TContext>(
        IServiceProvider serviceProvider,
        Func<TContext, IServiceProvider, CancellationToken, Task> seeder) : IHostedService
        where TContext : DbContext
    {
        public async Task StartAsync(CancellationToken cancellationToken)
        {
            using var scope = serviceProvider.CreateScope();
            var services = scope.ServiceProvider;
            var logger = services.GetRequiredService<ILogger<TContext>>();
            var context = services.GetRequiredService<TContext>();
            using var activity = ActivitySource.StartActivity($"Migrating {typeof(TContext).Name}");
            try
            {
                RelaxConnectTimeout(context);
                var strategy = context.Database.CreateExecutionStrategy();
                await strategy.ExecuteAsync(async () =>
                {
                    await context.Database.OpenConnectionAsync(cancellationToken);
                    try
                    {
                        await LockAsync(context, cancellationToken);
                        await CreateHistoryTableAsync(context, cancellationToken);
                        await context.Database.MigrateAsync(cancellationToken);
                        await seeder(context, services, cancellationToken);
                    }
                    finally
                    {
                        await UnlockAsync(context);
                        await context.Database.CloseConnectionAsync();
                    }
                });
                logger.LogInformation("Database of {DbContext} is migrated", typeof(TContext).Name);
            }
            catch (Exception ex)
            {
                activity?.AddException(ex);
                logger.LogError(ex, "Migrating the database of {DbContext} failed", typeof(TContext).Name);
                throw;
            }
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        // Replicas start together (two StorefrontApis) and would otherwise both apply the same migration: Npgsql's own
        // migration lock lasts one migration's transaction, and a second instance that read the history before the first
        // committed applies that migration again ("relation already exists"). A session advisory lock, held on the one
        // connection Migrate and the seed use, makes the whole migrate-and-seed one instance's at a time.
        private static async Task LockAsync(TContext context, CancellationToken cancellationToken)
        {
            if (IsPostgres(context))
            {
                await context.Database.ExecuteSqlRawAsync("SELECT pg_advisory_lock(hashtext({0}))", [typeof(TContext).FullName!], cancellationToken);
            }
        }

        private static bool IsPostgres(TContext context) => context.Database.ProviderName == "Npgsql.EntityFrameworkCore.PostgreSQL";

        // The services' connection strings connect fail-fast (a request must not wait); a migration at start-up has
        // nobody waiting, and on a loaded machine an honest first connection can take longer than that.
        private static void RelaxConnectTimeout(TContext context)
        {
            if (IsPostgres(context) && context.Database.GetConnectionString() is { Length: > 0 } connectionString)
            {
                var builder = new DbConnectionStringBuilder { ConnectionString = connectionString };
                builder["Timeout"] = "30";
                // With the pool's reset, a session lock an unlock failed to release cannot outlive this connection's use.
                builder["No Reset On Close"] = "false";
                try
                {
                    context.Database.SetConnectionString(builder.ConnectionString);
                }
                catch (InvalidOperationException)
                {
                    // A context built on a data source keeps its own connection string: it migrates fail-fast.
                }
            }
        }

        // A lock left by a broken connection ends with its session; the pool's reset (DISCARD ALL) would drop it too.
        private static async Task UnlockAsync(TContext context)
        {
            if (IsPostgres(context))
            {
                try
                {
                    await context.Database.ExecuteSqlRawAsync("SELECT pg_advisory_unlock(hashtext({0}))", [typeof(TContext).FullName!], CancellationToken.None);
                }
                catch (DbException)
                {
                }
            }
        }

        // On an empty database, Npgsql's Migrate first reads a history table that does not exist yet, and EF Core
        // logs that read as a failed command (an error on every service's first start; npgsql/efcore.pg#3407).
        // Creating the table first spares that. If another instance creates it at the same moment, the losing
        // CREATE fails; Migrate then finds the table, or reports whatever is really wrong.
        private static async Task CreateHistoryTableAsync(TContext context, CancellationToken cancellationToken)
        {
            try
            {
                await context.GetService<IHistoryRepository>().CreateIfNotExistsAsync(cancellationToken);
            }
            catch (DbException)
            {
            }
        }
    }
}
