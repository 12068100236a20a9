using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;

namespace AlyAspire.Bench.Storefront;

internal sealed record Scenario(string Name, Uri BaseAddress, string? Bearer);

internal sealed record RunResult(string Scenario, int Round, long Requests, long Failures, double Seconds, double P50Ms, double P95Ms, double P99Ms)
{
    public double Throughput => Requests / Seconds;
}

/// <summary>A closed-loop load: <c>concurrency</c> workers each sending the next request as soon as the last one answered.</summary>
internal static class LoadRun
{
    public const string OrdersPath = "/api/storefront/v1/merchant/orders?page=1&pageSize=20";

    public static async Task<RunResult> RunAsync(Scenario scenario, int round, int concurrency, TimeSpan warmup, TimeSpan duration)
    {
        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = concurrency, PooledConnectionLifetime = Timeout.InfiniteTimeSpan };
        using var client = new HttpClient(handler) { BaseAddress = scenario.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        if (scenario.Bearer is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", scenario.Bearer);
        }

        // Fail fast if the scenario is misconfigured: every measured request must be a 200.
        using (var probe = await client.GetAsync(OrdersPath))
        {
            if (probe.StatusCode != HttpStatusCode.OK)
            {
                throw new InvalidOperationException($"{scenario.Name}: GET orders answered {(int)probe.StatusCode}: {await probe.Content.ReadAsStringAsync()}");
            }
        }

        await DriveAsync(client, concurrency, warmup, latencies: null, failures: null);
        var latencies = Enumerable.Range(0, concurrency).Select(_ => new List<double>()).ToArray();
        var failures = new long[concurrency];
        var clock = Stopwatch.StartNew();
        await DriveAsync(client, concurrency, duration, latencies, failures);
        var seconds = clock.Elapsed.TotalSeconds;

        var all = latencies.SelectMany(l => l).Order().ToArray();
        return new RunResult(scenario.Name, round, all.Length, failures.Sum(), seconds, Percentile(all, 0.50), Percentile(all, 0.95), Percentile(all, 0.99));
    }

    /// <summary>Each worker records into its own list (no shared state on the hot path); null lists mean warm-up.</summary>
    private static async Task DriveAsync(HttpClient client, int workers, TimeSpan length, List<double>[]? latencies, long[]? failures)
    {
        var until = Stopwatch.GetTimestamp() + (long)(length.TotalSeconds * Stopwatch.Frequency);
        await Task.WhenAll(Enumerable.Range(0, workers).Select(async worker =>
        {
            while (Stopwatch.GetTimestamp() < until)
            {
                var start = Stopwatch.GetTimestamp();
                using var response = await client.GetAsync(OrdersPath, HttpCompletionOption.ResponseContentRead);
                var elapsed = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                if (latencies is null || failures is null)
                {
                    continue;
                }

                if (response.StatusCode == HttpStatusCode.OK)
                {
                    latencies[worker].Add(elapsed);
                }
                else
                {
                    failures[worker]++;
                }
            }
        }));
    }

    private static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];
}
