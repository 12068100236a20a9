using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AlyAspire.Bench.Peers;

/// <summary>
/// The real platform (the AppHost's graph, random ports, a throw-away data folder, one StorefrontApi), with the
/// AuthServer on a port of its own (its endpoint is not proxied), so the benchmark talks to the service, not to DCP's proxy.
/// </summary>
internal sealed class PlatformStack : IAsyncDisposable
{
    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "alyaspire-peers-" + Guid.NewGuid().ToString("N")[..12]);

    public DistributedApplication App { get; private set; } = null!;

    /// <summary>The AuthServer's own address: <c>http://127.0.0.1:&lt;target port&gt;</c>.</summary>
    public Uri AuthServer { get; private set; } = null!;

    public static async Task<PlatformStack> StartAsync(IReadOnlyList<(string Resource, string Name, string Value)> settings)
    {
        var stack = new PlatformStack();
        var appHost = await DistributedApplicationTestingBuilder.CreateAsync<Projects.AppHost>(
            [$"--AppHost:DataDir={stack._dataDirectory}", "--AppHost:StorefrontReplicas=1"]);
        // The services' own console output would drown the figures.
        appHost.Services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Warning)
            .AddFilter("AppHost.Resources", LogLevel.None)
            .AddFilter("Microsoft.Extensions.Diagnostics.HealthChecks", LogLevel.None));
        foreach (var (resource, name, value) in settings)
        {
            appHost.Resources.OfType<IResourceWithEnvironment>().Single(r => r.Name == resource)
                .Annotations.Add(new EnvironmentCallbackAnnotation(name, () => value));
        }

        // The AuthServer listens on a port of its own, without DCP's proxy in front: what is measured is the service.
        var ownPort = FreePort();
        var http = appHost.Resources.OfType<ProjectResource>().Single(r => r.Name == "authserver")
            .Annotations.OfType<EndpointAnnotation>().Single(e => e.Name == "http");
        http.IsProxied = false;
        http.Port = ownPort;
        http.TargetPort = ownPort;

        stack.App = await appHost.BuildAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(10));
        await stack.App.StartAsync(cts.Token);
        foreach (var service in new[] { "keyservice", "ratelimiter", "authserver", "storefrontapi" })
        {
            await stack.App.ResourceNotifications.WaitForResourceHealthyAsync(service, cts.Token);
        }

        stack.AuthServer = new Uri($"http://127.0.0.1:{ownPort}/");
        return stack;
    }

    private static int FreePort()
    {
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    /// <summary>The operating-system process id of a (single-replica) service.</summary>
    public async Task<int> ProcessIdAsync(string resource)
    {
        var running = await App.ResourceNotifications.WaitForResourceAsync(resource,
            e => e.Snapshot.Properties.Any(p => p.Name == "executable.pid" && p.Value is not null));
        var root = Convert.ToInt32(running.Snapshot.Properties.First(p => p.Name == "executable.pid").Value, System.Globalization.CultureInfo.InvariantCulture);
        // DCP may start the service through a launcher (dotnet run): the service is then the descendant that runs its assembly.
        var assembly = resource.Equals("authserver", StringComparison.Ordinal) ? "AuthServer" : resource;
        return Descendants(root).Prepend(root).LastOrDefault(pid => CommandLine(pid).Contains(assembly, StringComparison.OrdinalIgnoreCase) && !CommandLine(pid).Contains(" run ", StringComparison.Ordinal), root);
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

    public async Task<string> SecretAsync(string name)
    {
        var parameter = App.Services.GetRequiredService<DistributedApplicationModel>().Resources.OfType<ParameterResource>().Single(p => p.Name == name);
        return await ((IValueProvider)parameter).GetValueAsync(default) ?? throw new InvalidOperationException($"{name} has no value.");
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
