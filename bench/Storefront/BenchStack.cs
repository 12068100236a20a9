using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using AlyAspire.AppHost.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AlyAspire.Bench.Storefront;

/// <summary>
/// The real platform (AppHost graph, random ports, throw-away data folder) plus three more StorefrontApi instances on
/// the same database and code: <c>storefront-ungated</c> (<c>Benchmark:DisableAgentGate</c>: no bearer gate, no rate
/// limits), <c>storefront-unlimited</c> (<c>Benchmark:DisableRateLimits</c>: the gate, without the limits) and
/// <c>storefront-perrequest</c> (<c>RateLimits:Leases:Enabled=false</c>: every request decided by the RateLimiter) to
/// tell the costs apart. Every storefront runs as one process behind Aspire's proxy, so they compare fairly.
/// </summary>
internal sealed class BenchStack : IAsyncDisposable
{
    public const string Ungated = "storefront-ungated";
    public const string Unlimited = "storefront-unlimited";
    public const string PerRequest = "storefront-perrequest";

    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "alyaspire-bench-" + Guid.NewGuid().ToString("N")[..12]);

    public DistributedApplication App { get; private set; } = null!;

    public static async Task<BenchStack> StartAsync(IReadOnlyList<(string Resource, string Name, string Value)> settings)
    {
        var stack = new BenchStack();
        var appHost = await DistributedApplicationTestingBuilder.CreateAsync<Projects.AppHost>(
            [$"--AppHost:DataDir={stack._dataDirectory}", "--AppHost:StorefrontReplicas=1"]);
        // The services' own console output would drown the figures.
        appHost.Services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Warning)
            .AddFilter("AppHost.Resources", LogLevel.None)
            .AddFilter("Microsoft.Extensions.Diagnostics.HealthChecks", LogLevel.None));

        IResourceBuilder<T> Existing<T>(string name) where T : IResource =>
            appHost.CreateResourceBuilder(appHost.Resources.OfType<T>().Single(r => r.Name == name));

        // The extra instances are StorefrontApis too: they present the StorefrontApi's own credentials.
        var keyServiceCredential = Existing<ParameterResource>(ServiceCredentialExtensions.Name("storefrontapi", "keyservice"));
        var rateLimiterCredential = Existing<ParameterResource>(ServiceCredentialExtensions.Name("storefrontapi", "ratelimiter"));
        var authServerCredential = Existing<ParameterResource>(ServiceCredentialExtensions.Name("storefrontapi", "authserver"));
        var storefront = Existing<ProjectResource>("storefrontapi");
        var dashboardCredential = Existing<ParameterResource>("aspire-dashboard-to-storefrontapi-key");
        var introspectionSecret = Existing<ParameterResource>("introspection-client-secret");
        foreach (var (name, benchmarkSwitch, value) in new[]
        {
            (Ungated, "Benchmark__DisableAgentGate", "true"),
            (Unlimited, "Benchmark__DisableRateLimits", "true"),
            (PerRequest, "RateLimits__Leases__Enabled", "false"),
        })
        {
            appHost.AddProject(name, Path.Combine("..", "StorefrontApi", "StorefrontApi.csproj"))
                .WithReference(Existing<IResourceWithConnectionString>("storedb"))
                .WithReference(Existing<IResourceWithConnectionString>("redis"))
                .WithReference(Existing<ProjectResource>("keyservice"))
                .WithReference(Existing<ProjectResource>("ratelimiter"))
                .WithReference(Existing<ProjectResource>("authserver"))
                .WithEnvironment("Internal__Credentials__keyservice", keyServiceCredential)
                .WithEnvironment("Internal__Credentials__ratelimiter", rateLimiterCredential)
                .WithEnvironment("Internal__Credentials__authserver", authServerCredential)
                .WithEnvironment("Internal__Callers__aspire-dashboard", dashboardCredential)
                // The store's public URL, the audience its OAuth tokens name, is the StorefrontApi's.
                .WithEnvironment("Storefront__PublicBaseUrl", storefront.GetEndpoint("http"))
                .WithEnvironment("Introspection__ClientSecret", introspectionSecret)
                .WithEnvironment(benchmarkSwitch, value)
                .WaitFor(Existing<ProjectResource>("storefrontapi")) // migrations and seed are done by then
                .WithHttpHealthCheck("/health");
        }

        foreach (var (resource, name, value) in settings)
        {
            appHost.Resources.OfType<IResourceWithEnvironment>().Single(r => r.Name == resource)
                .Annotations.Add(new EnvironmentCallbackAnnotation(name, () => value));
        }

        stack.App = await appHost.BuildAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await stack.App.StartAsync(cts.Token);
        foreach (var service in new[] { "keyservice", "ratelimiter", "authserver", "storefrontapi", Ungated, Unlimited, PerRequest })
        {
            await stack.App.ResourceNotifications.WaitForResourceHealthyAsync(service, cts.Token);
        }

        return stack;
    }

    public Uri Endpoint(string resource) => App.GetEndpoint(resource, "http");

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
