using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AlyAspire.Bench.Support;

/// <summary>
/// The real platform for a benchmark: the AppHost's graph in Release, a throw-away data folder, one StorefrontApi, and
/// the measured services on ports of their own (their endpoints are not proxied), so a benchmark talks to the
/// service and not to DCP's proxy, which shares the same cores and adds its own latency. The hops between the
/// services are direct too, as a deployment would connect them: PostgreSQL, Redis, the KeyService and the RateLimiter
/// listen on ports of their own. DCP's proxy of those hops had taken 9 % of the machine during client_credentials
/// grants (bench/RESULTS.md, bench/Peers run 10). <c>ALYASPIRE_BENCH_PROXIED_HOPS=1</c> puts them back behind the
/// proxy, to compare.
/// </summary>
public sealed class BenchPlatform : IAsyncDisposable
{
    private static readonly string[] Services = ["keyservice", "ratelimiter", "authserver", "storefrontapi"];

    /// <summary>What the services call: reached directly unless the comparison with DCP's proxy is asked for.</summary>
    private static readonly string[] Dependencies = ["postgres", "redis", "keyservice", "ratelimiter"];

    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "alyaspire-bench-" + Guid.NewGuid().ToString("N")[..12]);
    private readonly Dictionary<string, Uri> _ownAddresses = new(StringComparer.Ordinal);

    public DistributedApplication App { get; private set; } = null!;

    /// <param name="settings">Environment variables set on resources before the start.</param>
    /// <param name="ownPorts">The resources measured on their own ports (those added by <paramref name="extend"/> too).</param>
    /// <param name="extend">Adds resources to the graph (more instances of a service); it names those to wait for.</param>
    public static async Task<BenchPlatform> StartAsync(
        IReadOnlyList<(string Resource, string Name, string Value)> settings,
        IReadOnlyList<string> ownPorts,
        Func<IDistributedApplicationTestingBuilder, IReadOnlyList<string>>? extend = null)
    {
        var platform = new BenchPlatform();
        var appHost = await DistributedApplicationTestingBuilder.CreateAsync<Projects.AppHost>(
            [$"--AppHost:DataDir={platform._dataDirectory}", "--AppHost:StorefrontReplicas=1"]);
        // The services' own console output would drown the figures.
        appHost.Services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Warning)
            .AddFilter("AppHost.Resources", LogLevel.None)
            .AddFilter("Microsoft.Extensions.Diagnostics.HealthChecks", LogLevel.None));

        var added = extend?.Invoke(appHost) ?? [];
        foreach (var (resource, name, value) in settings)
        {
            appHost.Resources.OfType<IResourceWithEnvironment>().Single(r => r.Name == resource)
                .Annotations.Add(new EnvironmentCallbackAnnotation(name, () => value));
        }

        foreach (var resource in ownPorts)
        {
            var http = appHost.Resources.OfType<ProjectResource>().Single(r => r.Name == resource)
                .Annotations.OfType<EndpointAnnotation>().Single(e => e.Name == "http");
            platform._ownAddresses[resource] = new Uri($"http://127.0.0.1:{Unproxy(http)}/");
        }

        if (Environment.GetEnvironmentVariable("ALYASPIRE_BENCH_PROXIED_HOPS") != "1")
        {
            foreach (var endpoint in appHost.Resources.Where(r => Dependencies.Contains(r.Name))
                         .SelectMany(r => r.Annotations.OfType<EndpointAnnotation>()).Where(e => e.IsProxied))
            {
                Unproxy(endpoint);
            }
        }

        platform.App = await appHost.BuildAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(10));
        await platform.App.StartAsync(cts.Token);
        foreach (var service in Services.Concat(added))
        {
            await platform.App.ResourceNotifications.WaitForResourceHealthyAsync(service, cts.Token);
        }

        return platform;
    }

    /// <summary>Where to send a resource's load: its own port when it has one, else DCP's proxy.</summary>
    public Uri Endpoint(string resource) => _ownAddresses.TryGetValue(resource, out var own) ? own : PublicEndpoint(resource);

    /// <summary>The address the platform itself names the resource by (its issuer, a token's audience).</summary>
    public Uri PublicEndpoint(string resource) => App.GetEndpoint(resource, "http");

    public async Task<string> SecretAsync(string name)
    {
        var parameter = App.Services.GetRequiredService<DistributedApplicationModel>().Resources.OfType<ParameterResource>().Single(p => p.Name == name);
        return await ((IValueProvider)parameter).GetValueAsync(default) ?? throw new InvalidOperationException($"{name} has no value.");
    }

    /// <summary>The operating-system process id of a (single-replica) service.</summary>
    public async Task<int> ProcessIdAsync(string resource, string assembly)
    {
        var running = await App.ResourceNotifications.WaitForResourceAsync(resource,
            e => e.Snapshot.Properties.Any(p => p.Name == "executable.pid" && p.Value is not null));
        var root = Convert.ToInt32(running.Snapshot.Properties.First(p => p.Name == "executable.pid").Value, System.Globalization.CultureInfo.InvariantCulture);
        // DCP may start the service through a launcher (dotnet run): the service is then the descendant that runs its assembly.
        return Descendants(root).Prepend(root).LastOrDefault(pid => CommandLine(pid).Contains(assembly, StringComparison.OrdinalIgnoreCase) && !CommandLine(pid).Contains(" run ", StringComparison.Ordinal), root);
    }

    /// <summary>The endpoint on a free port of its own, the service listening on it without DCP's proxy.</summary>
    private static int Unproxy(EndpointAnnotation endpoint)
    {
        var port = FreePort();
        endpoint.IsProxied = false;
        endpoint.Port = port;
        endpoint.TargetPort = port;
        return port;
    }

    private static int FreePort()
    {
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    private static IEnumerable<int> Descendants(int root)
    {
        var parents = new Dictionary<int, int>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(directory), out var pid) && TryRead(Path.Combine(directory, "stat")) is { } stat)
            {
                // "pid (comm) state ppid …": comm may hold spaces, so read after its closing parenthesis.
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                parents[pid] = int.Parse(fields[1], System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        var found = new List<int>();
        var frontier = new Queue<int>([root]);
        while (frontier.TryDequeue(out var parent))
        {
            foreach (var child in parents.Where(p => p.Value == parent).Select(p => p.Key))
            {
                found.Add(child);
                frontier.Enqueue(child);
            }
        }

        return found;
    }

    private static string CommandLine(int pid) => TryRead($"/proc/{pid}/cmdline")?.Replace('\0', ' ') ?? string.Empty;

    private static string? TryRead(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (App is not null)
        {
            await App.StopAsync();
            await App.DisposeAsync();
        }

        if (Directory.Exists(_dataDirectory))
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
    }
}
