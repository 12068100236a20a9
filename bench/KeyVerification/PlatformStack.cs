using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AlyAspire.Bench.KeyVerification;

/// <summary>
/// The real platform (Postgres, Redis, KeyService and the rest) started through the AppHost on random ports in a
/// throw-away data folder, as the end-to-end tests do: the bench never touches a developer's running stack.
/// </summary>
internal sealed class PlatformStack : IAsyncDisposable
{
    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "alyaspire-bench-" + Guid.NewGuid().ToString("N")[..12]);

    public DistributedApplication App { get; private set; } = null!;

    public static async Task<PlatformStack> StartAsync()
    {
        var stack = new PlatformStack();
        var appHost = await DistributedApplicationTestingBuilder.CreateAsync<Projects.AppHost>([$"--AppHost:DataDir={stack._dataDirectory}"]);
        appHost.Services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
        stack.App = await appHost.BuildAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await stack.App.StartAsync(cts.Token);
        await stack.App.ResourceNotifications.WaitForResourceHealthyAsync("keyservice", cts.Token);
        return stack;
    }

    public Uri Endpoint(string resource) => App.GetEndpoint(resource, "http");

    public async Task<string> ConnectionStringAsync(string resource) =>
        await App.GetConnectionStringAsync(resource) ?? throw new InvalidOperationException($"{resource} has no connection string.");

    public async Task<string> GetSecretAsync(string name)
    {
        var parameter = App.Services.GetRequiredService<DistributedApplicationModel>().Resources
            .OfType<ParameterResource>().Single(p => p.Name == name);
        return await ((IValueProvider)parameter).GetValueAsync(default)
            ?? throw new InvalidOperationException($"The parameter {name} has no value.");
    }

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
        if (Directory.Exists(_dataDirectory))
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
    }
}
