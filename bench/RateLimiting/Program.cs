// Decisions per second and p50/p99 latency of a workspace limit decision on the full path
// (RateLimiter.Client → gRPC/h2c → RateLimiter → Redis Lua script), against an in-process
// System.Threading.RateLimiting token bucket in the same run as the baseline, and a Redis PING from the
// client process as the floor of any Redis-backed decision.
//
//   dotnet run -c Release --project bench/RateLimiting -- [seconds-per-case] [concurrency,...]
//
// Starts the real AppHost (Aspire.Hosting.Testing: random ports, throw-away data folder), as the tests do.
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Threading.RateLimiting;
using AlyAspire.RateLimiter.Client.Workspace;
using AlyAspire.Shared.Internal;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

var seconds = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 10;
var concurrencies = args.Length > 1 ? args[1].Split(',').Select(c => int.Parse(c, CultureInfo.InvariantCulture)).ToArray() : [1, 16];
const int Workspaces = 100;

var dataDirectory = Path.Combine(Path.GetTempPath(), "alyaspire-bench-" + Guid.NewGuid().ToString("N")[..12]);
var appHost = await DistributedApplicationTestingBuilder.CreateAsync<Projects.AppHost>([$"--AppHost:DataDir={dataDirectory}"]);
appHost.Services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
await using var app = await appHost.BuildAsync();
using (var startup = new CancellationTokenSource(TimeSpan.FromMinutes(4)))
{
    Console.Error.WriteLine("Starting the stack…");
    await app.StartAsync(startup.Token);
    // Every service, not just the RateLimiter: the others' start-up would otherwise share the cores with the first case.
    foreach (var service in new[] { "keyservice", "ratelimiter", "authserver", "storefrontapi" })
    {
        await app.ResourceNotifications.WaitForResourceHealthyAsync(service, startup.Token);
    }
}

try
{
    var serviceKey = await app.Services.GetRequiredService<DistributedApplicationModel>().Resources
        .OfType<ParameterResource>().Single(p => p.Name == AlyAspire.AppHost.Hosting.ServiceCredentialExtensions.Name("storefrontapi", "ratelimiter")).GetValueAsync(default)
        ?? throw new InvalidOperationException("No internal service key.");

    // Workspaces whose budget never runs out: the measurement is the decision, allowed or not.
    using (var admin = new HttpClient { BaseAddress = app.GetEndpoint("ratelimiter", "http") })
    {
        admin.DefaultRequestHeaders.Add(InternalServiceAuthentication.HeaderName, serviceKey);
        for (var i = 0; i < Workspaces; i++)
        {
            var unlimited = new { RequestsPerWindow = 10_000_000, WindowSeconds = 1, Burst = 10_000_000 };
            (await admin.PutAsJsonAsync($"/internal/workspaces/bench_ws_{i}/limits", new { Workspace = unlimited, PerCredential = unlimited })).EnsureSuccessStatusCode();
        }
    }

    // The client exactly as an agent surface registers it.
    var clientHost = Host.CreateApplicationBuilder();
    clientHost.Logging.SetMinimumLevel(LogLevel.Warning);
    clientHost.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
    {
        ["services:ratelimiter:grpc:0"] = app.GetEndpoint("ratelimiter", "grpc").ToString(),
        [InternalServiceAuthentication.CredentialKey("ratelimiter")] = serviceKey,
        // A cold first call on this shared, noisy machine can pass the 1 s default; a fallback decision would
        // then be measured instead of the full path (the last column counts any that still happen).
        ["RateLimits:DecisionTimeout"] = "00:00:05",
        // Every decision a round trip: this measures the decision path itself, not leases (bench/Storefront does).
        ["RateLimits:Leases:Enabled"] = "false",
    });
    clientHost.AddServiceDefaults();
    clientHost.AddAgentRateLimiting();
    using var client = clientHost.Build();
    var remote = client.Services.GetRequiredService<IWorkspaceRateLimiter>();

    using var local = PartitionedRateLimiter.Create<string, string>(workspace => RateLimitPartition.GetTokenBucketLimiter(workspace, _ =>
        new TokenBucketRateLimiterOptions { TokenLimit = 10_000_000, TokensPerPeriod = 10_000_000, ReplenishmentPeriod = TimeSpan.FromSeconds(1), QueueLimit = 0 }));

    // A Redis PING from here: the floor under any Redis-backed decision, to tell transport from limiter cost.
    using var redis = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(
        await app.GetConnectionStringAsync("redis") ?? throw new InvalidOperationException("No Redis connection string."));
    var redisDb = redis.GetDatabase();

    Console.WriteLine($"Machine: {Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, .NET {Environment.Version}");
    Console.WriteLine($"{seconds} s per case after 2 s warm-up; {Workspaces} workspaces round-robin; closed loop per worker.");
    Console.WriteLine();
    Console.WriteLine("| case | concurrency | decisions/s | p50 µs | p99 µs | not decided remotely / not acquired |");
    Console.WriteLine("|---|---:|---:|---:|---:|---:|");
    foreach (var concurrency in concurrencies)
    {
        var baseline = await MeasureAsync(concurrency, seconds, i =>
        {
            using var lease = local.AttemptAcquire("bench_ws_" + (i % Workspaces));
            return ValueTask.FromResult(lease.IsAcquired);
        });
        Print("in-process TokenBucket (baseline)", concurrency, baseline);

        var full = await MeasureAsync(concurrency, seconds, async i =>
        {
            var decision = await remote.CheckAsync("bench_ws_" + (i % Workspaces), "bench_key");
            return decision.Source == RateLimitDecisionSource.RateLimiter;
        });
        Print("client → RateLimiter → Redis", concurrency, full);

        var ping = await MeasureAsync(concurrency, seconds, async _ =>
        {
            await redisDb.PingAsync();
            return true;
        });
        Print("Redis PING from the client (reference)", concurrency, ping);
        Console.WriteLine($"| ratio (baseline÷full throughput; full÷baseline latency) | {concurrency} | {baseline.PerSecond / full.PerSecond:N0}× | {Ratio(full.P50, baseline.P50)} | {Ratio(full.P99, baseline.P99)} | |");
    }
}
finally
{
    await app.StopAsync();
    if (Directory.Exists(dataDirectory))
    {
        Directory.Delete(dataDirectory, recursive: true);
    }
}

static void Print(string name, int concurrency, Result result) =>
    Console.WriteLine($"| {name} | {concurrency} | {result.PerSecond:N0} | {result.P50:N3} | {result.P99:N3} | {result.Degraded} |");

static string Ratio(double full, double baseline) => baseline > 0 ? $"{full / baseline:N0}×" : "n/a (baseline below timer resolution)";

static async Task<Result> MeasureAsync(int concurrency, int seconds, Func<long, ValueTask<bool>> decide)
{
    await RunAsync(concurrency, TimeSpan.FromSeconds(2), decide); // warm-up: JIT, connections, script cache
    var (latencies, degraded, elapsed) = await RunAsync(concurrency, TimeSpan.FromSeconds(seconds), decide);
    latencies.Sort();
    return new Result(
        latencies.Count / elapsed.TotalSeconds,
        Percentile(latencies, 0.50),
        Percentile(latencies, 0.99),
        degraded);
}

static async Task<(List<double> Latencies, long Degraded, TimeSpan Elapsed)> RunAsync(int concurrency, TimeSpan duration, Func<long, ValueTask<bool>> decide)
{
    var started = Stopwatch.GetTimestamp();
    var deadline = started + (long)(duration.TotalSeconds * Stopwatch.Frequency);
    long counter = 0, degraded = 0;
    var workers = Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
    {
        var latencies = new List<double>(1 << 16);
        while (Stopwatch.GetTimestamp() < deadline)
        {
            var before = Stopwatch.GetTimestamp();
            var ok = await decide(Interlocked.Increment(ref counter));
            // Raw timestamps, not TimeSpan: a TimeSpan's 100 ns ticks would round the baseline down to zero.
            latencies.Add((Stopwatch.GetTimestamp() - before) * 1_000_000d / Stopwatch.Frequency);
            if (!ok)
            {
                Interlocked.Increment(ref degraded);
            }
        }

        return latencies;
    })).ToArray();
    var all = (await Task.WhenAll(workers)).SelectMany(l => l).ToList();
    return (all, degraded, Stopwatch.GetElapsedTime(started));
}

static double Percentile(List<double> sorted, double p) =>
    sorted.Count == 0 ? double.NaN : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];

internal sealed record Result(double PerSecond, double P50, double P99, long Degraded);
