using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AlyAspire.Tests.Infrastructure;

/// <summary>
/// Starts the real AppHost once for every end-to-end test (real PostgreSQL, real Redis, every service),
/// on random ports and in a throw-away data folder, so two test runs on one machine never collide.
/// </summary>
public sealed class PlatformFixture : IAsyncLifetime
{
    public static readonly string[] Services = ["keyservice", "ratelimiter", "authserver", "storefrontapi"];

    // Generous: with eight helpers building on two cores, the whole graph has been seen to need more than four minutes.
    public static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(8);

    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "alyaspire-tests-" + Guid.NewGuid().ToString("N")[..12]);

    public DistributedApplication App { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        // Configuration read at the top of the AppHost must arrive as arguments.
        var appHost = await DistributedApplicationTestingBuilder.CreateAsync<Projects.AppHost>(
        [
            $"--AppHost:DataDir={_dataDirectory}",
            "--AppHost:StorefrontReplicas=2",
        ]);
        appHost.Services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
        TestStackSettings.Apply(appHost);

        App = await appHost.BuildAsync();
        using var cts = new CancellationTokenSource(StartTimeout);
        await App.StartAsync(cts.Token);
        foreach (var service in Services)
        {
            await App.ResourceNotifications.WaitForResourceHealthyAsync(service, cts.Token);
        }
    }

    public async Task DisposeAsync()
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

    public HttpClient CreateClient(string resource, bool allowRedirects = true)
    {
        var endpoint = App.GetEndpoint(resource, "http");
        var handler = new HttpClientHandler { AllowAutoRedirect = allowRedirects, UseCookies = false };
        return new HttpClient(handler) { BaseAddress = endpoint, Timeout = TimeSpan.FromSeconds(60) };
    }

    public Uri Endpoint(string resource) => App.GetEndpoint(resource, "http");

    public async Task<string> ConnectionStringAsync(string resource) =>
        await App.GetConnectionStringAsync(resource) ?? throw new InvalidOperationException($"{resource} has no connection string.");

    /// <summary>The value of one of the AppHost's secret parameters (e.g. <c>internal-service-key</c>).</summary>
    public async Task<string> GetSecretAsync(string name)
    {
        var parameter = App.Services.GetRequiredService<DistributedApplicationModel>().Resources
            .OfType<ParameterResource>().Single(p => p.Name == name);
        return await ((IValueProvider)parameter).GetValueAsync(default)
            ?? throw new InvalidOperationException($"The parameter {name} has no value.");
    }

    /// <summary>
    /// Restarts a resource through the test host and waits until the new process is running and healthy: a snapshot
    /// started after the restart was asked for, and for services their own <c>/health</c> answering 200 (right after a
    /// restart the snapshot can still carry the old process's health).
    /// </summary>
    public async Task RestartAsync(string resource)
    {
        using var cts = new CancellationTokenSource(StartTimeout);
        var requestedAt = DateTime.UtcNow.AddSeconds(-1);
        var result = await App.ResourceCommands.ExecuteCommandAsync(resource, KnownResourceCommands.RestartCommand, cts.Token);
        Assert.True(result.Success, $"Restarting {resource} failed: {result.Message}");
        await App.ResourceNotifications.WaitForResourceAsync(resource,
            e => e.Snapshot.State?.Text == KnownResourceStates.Running
                 && e.Snapshot.StartTimeStamp >= requestedAt
                 && e.Snapshot.HealthStatus == Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Healthy,
            cts.Token);
        if (Services.Contains(resource))
        {
            using var client = CreateClient(resource);
            await Eventually.SucceedsAsync(async () =>
                Assert.Equal(System.Net.HttpStatusCode.OK, (await client.GetAsync("/health", cts.Token)).StatusCode), StartTimeout);
        }
    }
}

[CollectionDefinition(Name)]
public sealed class PlatformCollection : ICollectionFixture<PlatformFixture>
{
    public const string Name = "platform";
}
