using AlyAspire.AgentGate;
using AlyAspire.Shared.ApiKeys;
using AlyAspire.Shared.Credentials;
using AlyAspire.Shared.Internal;
using AlyAspire.Shared.Scopes;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;

namespace AlyAspire.Bench.KeyVerification;

/// <summary>
/// API key verification on the hot path, as an agent surface pays it per request: the offline format check alone
/// (baseline), a cached verification (format check + SHA-256 cache lookup + one Redis EXISTS on the revocation
/// marker), and an uncached one (HTTP to KeyService, HMAC, one indexed Postgres read).
/// </summary>
[MemoryDiagnoser]
public class KeyVerificationBenchmarks
{
    private PlatformStack _stack = null!;
    private ServiceProvider _services = null!;
    private ApiKeyVerifier _verifier = null!;
    private ApiKeyClient _keyService = null!;
    private string _secret = null!;
    private IDatabase _redis = null!;
    private RedisKey _marker;

    [GlobalSetup]
    public async Task StartAsync()
    {
        _stack = await PlatformStack.StartAsync();
        var serviceKey = await _stack.GetSecretAsync(AlyAspire.AppHost.Hosting.ServiceCredentialExtensions.Name("storefrontapi", "keyservice"));

        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder()
            .AddInMemoryCollection([new(InternalServiceAuthentication.CredentialKey("keyservice"), serviceKey)])
            .Build());
        services.AddSingleton<IConnectionMultiplexer>(await ConnectionMultiplexer.ConnectAsync(await _stack.ConnectionStringAsync("redis")));
        services.AddApiKeyVerification();
        // The bench process has no service discovery: both the verifier's client and the bench's own point at the KeyService.
        services.AddHttpClient(VerificationCalls.KeyServiceClient, client => client.BaseAddress = _stack.Endpoint("keyservice"));
        services.AddApiKeyClient().ConfigureHttpClient(client => client.BaseAddress = _stack.Endpoint("keyservice"));
        _services = services.BuildServiceProvider();
        _verifier = _services.GetRequiredService<ApiKeyVerifier>();
        _keyService = _services.GetRequiredService<ApiKeyClient>();
        _redis = _services.GetRequiredService<IConnectionMultiplexer>().GetDatabase();

        // The bench plays the AuthServer: it signs the owner's actor assertion with the stack's key.
        var workspace = Guid.NewGuid();
        var assertions = new ActorAssertions(
            Microsoft.Extensions.Options.Options.Create(new ActorAssertionOptions { SigningKey = await _stack.GetSecretAsync("actor-assertion-key") }), TimeProvider.System);
        var actor = ApiKeyActor.Person(assertions.Issue(Guid.NewGuid(), workspace, WorkspaceRoles.Owner, null));
        var created = await _keyService.CreateAsync(workspace, new CreateApiKeyRequest("bench", [ScopeCatalogue.ReadOrders], null), actor);
        _secret = created.Secret;
        _marker = RevocationSignals.ApiKey(created.Key.Id.ToString());
        // Warm the cache (and KeyService's compiled query and connection pool).
        for (var i = 0; i < 20; i++)
        {
            Require((await _keyService.VerifyAsync(_secret)).Valid);
        }

        Require((await _verifier.VerifyAsync(_secret, default)).IsValid);
    }

    [GlobalCleanup]
    public async Task StopAsync()
    {
        await _services.DisposeAsync();
        await _stack.DisposeAsync();
    }

    [Benchmark(Baseline = true, Description = "format check only (offline)")]
    public bool FormatCheck() => ApiKeyFormat.IsValid(_secret);

    [Benchmark(Description = "cached: format + cache + Redis EXISTS")]
    public async Task<bool> Cached() => (await _verifier.VerifyAsync(_secret, default)).IsValid;

    [Benchmark(Description = "one Redis EXISTS alone (network floor)")]
    public async Task<bool> RedisExists() => await _redis.KeyExistsAsync(_marker);

    [Benchmark(Description = "uncached: HTTP to KeyService + Postgres")]
    public async Task<bool> Uncached() => (await _keyService.VerifyAsync(_secret)).Valid;

    private static void Require(bool condition)
    {
        if (!condition)
        {
            throw new InvalidOperationException("The benchmark's key did not verify.");
        }
    }
}
