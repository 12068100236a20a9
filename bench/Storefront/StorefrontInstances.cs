using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using AlyAspire.AppHost.Hosting;

namespace AlyAspire.Bench.Storefront;

/// <summary>
/// Three more StorefrontApi instances on the same database and code, to tell the costs apart:
/// <c>storefront-ungated</c> (<c>Benchmark:DisableAgentGate</c>: no bearer gate, no rate limits),
/// <c>storefront-unlimited</c> (<c>Benchmark:DisableRateLimits</c>: the gate, without the limits) and
/// <c>storefront-perrequest</c> (<c>RateLimits:Leases:Enabled=false</c>: every request decided by the RateLimiter).
/// Each is one process on a port of its own, like the StorefrontApi it is compared with.
/// </summary>
internal static class StorefrontInstances
{
    public const string Ungated = "storefront-ungated";
    public const string Unlimited = "storefront-unlimited";
    public const string PerRequest = "storefront-perrequest";

    public static readonly string[] Measured = ["storefrontapi", Ungated, Unlimited, PerRequest];

    public static IReadOnlyList<string> Add(IDistributedApplicationTestingBuilder appHost)
    {
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
                .WaitFor(storefront) // migrations and seed are done by then
                .WithHttpHealthCheck("/health");
        }

        return [Ungated, Unlimited, PerRequest];
    }
}
