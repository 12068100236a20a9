using System.Diagnostics;

namespace AlyAspire.Bench.Peers;

/// <summary>
/// One scenario against one server: <see cref="Send"/> sends one request on the worker's connection and says whether
/// the answer was the expected one. Workers keep state of their own (a refresh-token chain) by their index.
/// <see cref="Prepare"/>, if any, runs before every run (warm-up included), e.g. to mint the token it introspects.
/// </summary>
internal sealed record Target(string Server, Uri BaseAddress, Func<HttpClient, int, Task<bool>> Send, Func<Task>? Prepare = null);

internal sealed record RunResult(string Scenario, string Server, int Round, long Requests, long Failures, double Seconds, double P50Ms, double P99Ms)
{
    public double Throughput => Requests / Seconds;
}

/// <summary>A closed loop, as autocannon drives: <c>concurrency</c> connections, each sending its next request when the last one answered.</summary>
internal static class LoadRun
{
    public static async Task<RunResult> RunAsync(string scenario, Target target, int round, int concurrency, TimeSpan warmup, TimeSpan duration)
    {
        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = concurrency, PooledConnectionLifetime = Timeout.InfiniteTimeSpan, UseCookies = false };
        using var client = new HttpClient(handler) { BaseAddress = target.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };

        if (target.Prepare is not null)
        {
            await target.Prepare();
        }

        // Fail fast if the scenario is misconfigured: it must succeed before it is measured.
        if (!await target.Send(client, 0))
        {
            throw new InvalidOperationException($"{scenario} against {target.Server}: the first request failed.");
        }

        await DriveAsync(client, target, concurrency, warmup, latencies: null, failures: null);
        var latencies = Enumerable.Range(0, concurrency).Select(_ => new List<double>()).ToArray();
        var failures = new long[concurrency];
        var clock = Stopwatch.StartNew();
        await DriveAsync(client, target, concurrency, duration, latencies, failures);
        var seconds = clock.Elapsed.TotalSeconds;

        var all = latencies.SelectMany(l => l).Order().ToArray();
        return new RunResult(scenario, target.Server, round, all.Length, failures.Sum(), seconds, Percentile(all, 0.50), Percentile(all, 0.99));
    }

    /// <summary>Each worker records into its own list (no shared state on the hot path); null lists mean warm-up.</summary>
    private static async Task DriveAsync(HttpClient client, Target target, int workers, TimeSpan length, List<double>[]? latencies, long[]? failures)
    {
        var until = Stopwatch.GetTimestamp() + (long)(length.TotalSeconds * Stopwatch.Frequency);
        await Task.WhenAll(Enumerable.Range(0, workers).Select(async worker =>
        {
            while (Stopwatch.GetTimestamp() < until)
            {
                var start = Stopwatch.GetTimestamp();
                var ok = await target.Send(client, worker);
                var elapsed = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                if (latencies is null || failures is null)
                {
                    continue;
                }

                if (ok)
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
