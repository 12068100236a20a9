using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using StackExchange.Redis;

namespace AlyAspire.AppHost.Hosting;

public static class LocalRedisBuilderExtensions
{
    /// <summary>
    /// Adds a Redis server run by DCP: <c>redis-server</c> with append-only persistence when installed,
    /// otherwise Garnet from the repository's dotnet tool manifest. Bound to loopback, password-protected;
    /// the password goes through a file, never the command line (the dashboard shows command lines).
    /// </summary>
    public static IResourceBuilder<LocalRedisResource> AddLocalRedis(
        this IDistributedApplicationBuilder builder, string name, LocalDataDirectory dataDirectory, int port)
    {
        var password = builder.AddParameter($"{name}-password", dataDirectory.GetOrCreateSecret($"{name}-password"), secret: true);
        var dataDir = dataDirectory.Combine(name);
        Directory.CreateDirectory(dataDir);

        // AppHost:RedisServer names a redis-server binary, or "garnet" to use Garnet even where Redis is installed.
        var configured = builder.Configuration["AppHost:RedisServer"];
        var redisServer = configured switch
        {
            "garnet" => null,
            { Length: > 0 } path => path,
            _ => LocalProcess.Find("redis-server", "/usr/bin", "/usr/local/bin"),
        };
        var repositoryRoot = Path.GetFullPath(Path.Combine(builder.AppHostDirectory, ".."));
        var resource = redisServer is not null
            ? new LocalRedisResource(name, redisServer, dataDir, password.Resource, dataDir, "redis-server")
            : new LocalRedisResource(name, "dotnet", repositoryRoot, password.Resource, dataDir, "garnet");
        if (redisServer is null && !File.Exists(Path.Combine(repositoryRoot, "dotnet-tools.json")))
        {
            throw new LocalDependencyMissingException(
                "Neither redis-server nor the Garnet tool manifest was found. Install Redis (Debian: apt-get install -y redis-server).");
        }

        var configFile = Path.Combine(dataDir, resource.Flavour == "garnet" ? "garnet.conf" : "redis.conf");
        builder.Eventing.Subscribe<BeforeResourceStartedEvent>(resource, async (_, ct) =>
            await WriteConfigFileAsync(resource, configFile, ct));

        // One instance for the app's lifetime, so its connection is reused between checks.
        var healthCheck = new LocalRedisHealthCheck(resource);
        var healthCheckKey = $"{name}_check";
        builder.Services.AddHealthChecks().Add(new HealthCheckRegistration(
            healthCheckKey, _ => healthCheck, failureStatus: null, tags: null));

        var endpoint = new EndpointReference(resource, LocalRedisResource.EndpointName);
        return builder.AddResource(resource)
            .WithEndpoint(port: port, name: LocalRedisResource.EndpointName, scheme: "tcp", isProxied: true)
            .WithArgs(context =>
            {
                if (resource.Flavour == "garnet")
                {
                    foreach (var arg in new[] { "tool", "run", "garnet-server", "--", "--config-import-path", configFile, "--bind", "127.0.0.1", "--lua", "--port" })
                    {
                        context.Args.Add(arg);
                    }

                    context.Args.Add(endpoint.Property(EndpointProperty.TargetPort));
                    return;
                }

                foreach (var arg in new[] { configFile, "--bind", "127.0.0.1", "--dir", dataDir, "--appendonly", "yes", "--port" })
                {
                    context.Args.Add(arg);
                }

                context.Args.Add(endpoint.Property(EndpointProperty.TargetPort));
            })
            .WithInitialState(new CustomResourceSnapshot
            {
                ResourceType = "Executable",
                Properties = [new("server", resource.Flavour)],
            })
            .WithHealthCheck(healthCheckKey)
            .WithRestartOnCrash()
            .WithIconName("Memory");
    }

    private static async Task WriteConfigFileAsync(LocalRedisResource resource, string configFile, CancellationToken ct)
    {
        var password = await resource.PasswordParameter.GetValueAsync(ct);
        var contents = resource.Flavour == "garnet"
            ? $$"""{ "AuthenticationMode": "Password", "Password": "{{password}}", "EnableAOF": true, "CheckpointDir": "{{resource.DataDirectory}}", "Recover": true }"""
            : $"requirepass {password}\nprotected-mode yes\nsave \"\"\n";
        await File.WriteAllTextAsync(configFile, contents, ct);
        LocalDataDirectory.RestrictToOwner(configFile);
    }

    /// <summary>Healthy once the server answers PING; a Redis still loading its AOF answers LOADING and is not ready.</summary>
    private sealed class LocalRedisHealthCheck(LocalRedisResource resource) : IHealthCheck, IDisposable
    {
        private ConnectionMultiplexer? _connection;

        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            try
            {
                if (_connection is null)
                {
                    var options = ConfigurationOptions.Parse(await resource.ConnectionStringExpression.GetValueAsync(cancellationToken) ?? string.Empty);
                    options.AbortOnConnectFail = true;
                    options.ConnectTimeout = 3000;
                    _connection = await ConnectionMultiplexer.ConnectAsync(options);
                }

                await _connection.GetDatabase().PingAsync();
                return HealthCheckResult.Healthy();
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                _connection?.Dispose();
                _connection = null;
                return HealthCheckResult.Unhealthy("Redis does not answer PING yet.", ex);
            }
        }

        public void Dispose() => _connection?.Dispose();
    }
}
