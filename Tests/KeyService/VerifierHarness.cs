using AlyAspire.AgentGate;
using AlyAspire.Shared.ApiKeys;
using AlyAspire.Shared.Internal;
using AlyAspire.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using StackExchange.Redis;

namespace AlyAspire.Tests.KeyService;

/// <summary>
/// One verifying process in miniature: <c>AddApiKeyVerification()</c> in its own service provider (own memory cache,
/// own Redis connection, its KeyService client pointed at the running KeyService with the service key), as
/// StorefrontApi wires it. Counts the calls that reach KeyService.
/// </summary>
internal sealed class VerifierHarness : IAsyncDisposable
{
    private readonly ServiceProvider _provider;
    private readonly IConnectionMultiplexer _redis;
    private readonly OutgoingCalls _calls;
    private readonly List<IHostedService> _started = [];

    private VerifierHarness(ServiceProvider provider, IConnectionMultiplexer redis, OutgoingCalls calls)
    {
        _provider = provider;
        _redis = redis;
        _calls = calls;
    }

    public ApiKeyVerifier Verifier => _provider.GetRequiredService<ApiKeyVerifier>();

    /// <summary>Verification requests that left the process for KeyService.</summary>
    public int KeyServiceCalls => _calls.Count;

    public static async Task<VerifierHarness> StartAsync(
        PlatformFixture platform, TimeProvider? time = null, ConfigurationOptions? redisOptions = null, bool subscribeToRevocations = true)
    {
        var redis = await ConnectionMultiplexer.ConnectAsync(redisOptions ?? ConfigurationOptions.Parse(await platform.ConnectionStringAsync("redis")));
        var calls = new OutgoingCalls();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder()
            .AddInMemoryCollection([
                new(InternalServiceAuthentication.CredentialKey(PlatformServices.KeyService), await platform.ServiceSecretAsync(PlatformServices.StorefrontApi, PlatformServices.KeyService)),
                // These tests count cache hits: a marker check given up at the hot-path deadline (200 ms, which a loaded
                // test machine can exceed) rightly falls back to the KeyService and would count as a miss. The deadline
                // itself is the fault tests' subject.
                new("Resilience:RedisHotPathTimeout", "00:00:02"),
            ])
            .Build());
        services.AddSingleton<IConnectionMultiplexer>(redis);
        if (time is not null)
        {
            services.AddSingleton(time);
        }

        services.AddApiKeyVerification();
        // The test process has no service discovery: point the client at the running KeyService directly.
        calls.Track(services.AddHttpClient(VerificationCalls.KeyServiceClient, client => client.BaseAddress = platform.Endpoint("keyservice")));

        var harness = new VerifierHarness(services.BuildServiceProvider(), redis, calls);
        if (subscribeToRevocations)
        {
            foreach (var hosted in harness._provider.GetServices<IHostedService>())
            {
                await hosted.StartAsync(default);
                harness._started.Add(hosted);
            }
        }

        return harness;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var hosted in _started)
        {
            await hosted.StopAsync(default);
        }

        await _provider.DisposeAsync();
        await _redis.DisposeAsync();
    }
}
