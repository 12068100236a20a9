using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;

namespace AlyAspire.AppHost.Hosting;

public static class LocalPostgresBuilderExtensions
{
    private const string PostgresOsUser = "postgres";

    /// <summary>
    /// Adds a PostgreSQL server run by DCP from local binaries, with its data in <paramref name="dataDirectory"/>.
    /// As root it runs as the <c>postgres</c> OS user, since PostgreSQL refuses to run as root.
    /// </summary>
    public static IResourceBuilder<LocalPostgresServerResource> AddLocalPostgres(
        this IDistributedApplicationBuilder builder, string name, LocalDataDirectory dataDirectory, int port)
    {
        var binDirectory = FindPostgresBinDirectory(builder.Configuration["AppHost:PostgresBin"]);
        var password = builder.AddParameter($"{name}-password", dataDirectory.GetOrCreateSecret($"{name}-password"), secret: true);
        var pgData = dataDirectory.Combine(name);
        var runAsPostgres = Environment.IsPrivilegedProcess;

        // DCP stops executables with SIGTERM, which PostgreSQL takes as a "smart" shutdown that waits for
        // every client to hang up. The shell turns it into SIGINT, a fast shutdown, so Ctrl+C and restarts take seconds.
        var launch = runAsPostgres
            ? $"/usr/bin/setpriv --reuid={PostgresOsUser} --regid={PostgresOsUser} --init-groups \"$0\" \"$@\" & child=$!"
            : "\"$0\" \"$@\" & child=$!";
        var script = $"trap 'kill -INT $child 2>/dev/null' TERM INT; {launch}; while kill -0 $child 2>/dev/null; do wait $child; done";

        var server = new LocalPostgresServerResource(name, "/bin/sh", dataDirectory.Path, password.Resource, pgData);
        var healthCheckKey = $"{name}_check";
        builder.Services.AddHealthChecks().Add(new HealthCheckRegistration(
            healthCheckKey,
            new LocalPostgresHealthCheck(server),
            failureStatus: null,
            tags: null));

        builder.Eventing.Subscribe<BeforeResourceStartedEvent>(server, async (_, ct) =>
            await InitializeDataDirectoryAsync(binDirectory, server, runAsPostgres, ct));
        builder.Eventing.Subscribe<ResourceReadyEvent>(server, async (@event, ct) =>
            await CreateDatabasesAsync(server, @event.Services, ct));

        var endpoint = new EndpointReference(server, LocalPostgresServerResource.EndpointName);
        return builder.AddResource(server)
            .WithEndpoint(port: port, name: LocalPostgresServerResource.EndpointName, scheme: "tcp", isProxied: true)
            .WithArgs(context =>
            {
                context.Args.Add("-c");
                context.Args.Add(script);
                context.Args.Add(Path.Combine(binDirectory, "postgres"));
                context.Args.Add("-D");
                context.Args.Add(pgData);
                context.Args.Add("-p");
                context.Args.Add(endpoint.Property(EndpointProperty.TargetPort));
                context.Args.Add("-c");
                context.Args.Add("listen_addresses=localhost");
                context.Args.Add("-c");
                context.Args.Add("unix_socket_directories=");
            })
            .WithHealthCheck(healthCheckKey)
            .WithRestartOnCrash()
            .WithIconName("Database");
    }

    public static IResourceBuilder<LocalPostgresDatabaseResource> AddDatabase(
        this IResourceBuilder<LocalPostgresServerResource> server, string name, string? databaseName = null)
    {
        var database = new LocalPostgresDatabaseResource(name, databaseName ?? name, server.Resource);
        server.Resource.AddDatabase(database);
        return server.ApplicationBuilder.AddResource(database)
            .WithInitialState(new CustomResourceSnapshot
            {
                ResourceType = "PostgresDatabase",
                State = KnownResourceStates.Waiting,
                Properties = [new("database", database.DatabaseName)],
            })
            .WithIconName("DatabaseStack");
    }

    private static string FindPostgresBinDirectory(string? configured)
    {
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return configured;
        }

        var candidates = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql")
                .Select(dir => Path.Combine(dir, "bin"))
                .Where(bin => File.Exists(Path.Combine(bin, "postgres")))
                .OrderByDescending(bin => int.TryParse(Path.GetFileName(Path.GetDirectoryName(bin)), out var v) ? v : 0)
            : Enumerable.Empty<string>();
        var found = candidates.FirstOrDefault()
            ?? Path.GetDirectoryName(LocalProcess.Find("postgres") ?? string.Empty);
        if (string.IsNullOrEmpty(found) || !File.Exists(Path.Combine(found, "initdb")))
        {
            throw new LocalDependencyMissingException(
                "PostgreSQL server binaries were not found. Install them (Debian: apt-get install -y postgresql) " +
                "or set AppHost:PostgresBin to the folder holding initdb and postgres.");
        }

        return found;
    }

    private static async Task InitializeDataDirectoryAsync(string binDirectory, LocalPostgresServerResource server, bool runAsPostgres, CancellationToken ct)
    {
        var pgData = server.DataDirectory;
        if (File.Exists(Path.Combine(pgData, "PG_VERSION")))
        {
            return; // initialised on an earlier run: keep the data.
        }

        Directory.CreateDirectory(pgData);
        var passwordFile = Path.Combine(pgData + ".pwfile");
        await File.WriteAllTextAsync(passwordFile, await server.PasswordParameter.GetValueAsync(ct), ct);
        try
        {
            LocalDataDirectory.RestrictToOwner(pgData);
            LocalDataDirectory.RestrictToOwner(passwordFile);
            string[] initdb =
            [
                Path.Combine(binDirectory, "initdb"), "-D", pgData, "-U", LocalPostgresServerResource.UserName,
                "--auth=scram-sha-256", $"--pwfile={passwordFile}", "--encoding=UTF8", "--no-instructions",
            ];
            if (runAsPostgres)
            {
                await LocalProcess.RunAsync("chown", ["-R", $"{PostgresOsUser}:{PostgresOsUser}", pgData, passwordFile], ct);
                await LocalProcess.RunAsync("/usr/bin/setpriv", [$"--reuid={PostgresOsUser}", $"--regid={PostgresOsUser}", "--init-groups", .. initdb], ct);
            }
            else
            {
                await LocalProcess.RunAsync(initdb[0], initdb[1..], ct);
            }
        }
        catch
        {
            // A half-made cluster would block every later start: remove it so the next run starts clean.
            Directory.Delete(pgData, recursive: true);
            throw;
        }
        finally
        {
            File.Delete(passwordFile);
        }
    }

    private static async Task CreateDatabasesAsync(LocalPostgresServerResource server, IServiceProvider services, CancellationToken ct)
    {
        var notifications = services.GetRequiredService<ResourceNotificationService>();
        var connectionString = await server.ConnectionStringExpression.GetValueAsync(ct);
        await using var dataSource = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString);
        foreach (var database in server.Databases)
        {
            await using (var exists = dataSource.CreateCommand("SELECT 1 FROM pg_database WHERE datname = $1"))
            {
                exists.Parameters.AddWithValue(database.DatabaseName);
                if (await exists.ExecuteScalarAsync(ct) is null)
                {
                    await using var create = dataSource.CreateCommand($"CREATE DATABASE {QuoteIdentifier(database.DatabaseName)}");
                    await create.ExecuteNonQueryAsync(ct);
                }
            }

            // Aspire propagates a parent's state only to children of containers: say so ourselves.
            await notifications.PublishUpdateAsync(database, state => state with
            {
                State = KnownResourceStates.Running,
                StartTimeStamp = DateTime.UtcNow,
            });
        }
    }

    [SuppressMessage("Security", "CA2100", Justification = "Identifier is quoted; names come from the AppHost's own code.")]
    private static string QuoteIdentifier(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    private sealed class LocalPostgresHealthCheck(LocalPostgresServerResource server) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            try
            {
                var connectionString = new NpgsqlConnectionStringBuilder(await server.ConnectionStringExpression.GetValueAsync(cancellationToken))
                {
                    Pooling = false, // a pooled connection would keep PostgreSQL from shutting down quickly.
                    Timeout = 3,
                };
                await using var connection = new NpgsqlConnection(connectionString.ConnectionString);
                await connection.OpenAsync(cancellationToken);
                await using var command = new NpgsqlCommand("SELECT 1", connection);
                await command.ExecuteScalarAsync(cancellationToken);
                return HealthCheckResult.Healthy();
            }
            catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException or TimeoutException)
            {
                return HealthCheckResult.Unhealthy("PostgreSQL does not accept connections yet.", ex);
            }
        }
    }
}

/// <summary>A binary the local stack needs is not installed; the message says what to install.</summary>
public sealed class LocalDependencyMissingException(string message) : Exception(message);
