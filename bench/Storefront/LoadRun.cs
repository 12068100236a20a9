using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;

namespace AlyAspire.Bench.Storefront;

internal sealed record Scenario(string Name, Uri BaseAddress, string? Bearer, string Path = LoadRun.OrdersPath);

internal sealed record RunResult(string Scenario, int Round, long Requests, long Failures, double Seconds, double P50Ms, double P95Ms, double P99Ms)
{
    public double Throughput => Requests / Seconds;
}

/// <summary>
/// A closed-loop load (<see cref="RunAsync"/>: <c>concurrency</c> workers each sending the next request as soon as the
/// last one answered) or a paced one (<see cref="PacedAsync"/>: requests sent on a fixed schedule, whatever the answers).
/// </summary>
internal static class LoadRun
{
    public const string OrdersPath = "/api/storefront/v1/merchant/orders?page=1&pageSize=20";
    public const string MePath = "/api/storefront/v1/merchant/me";
    public const string AlivePath = "/alive";

    public static async Task<RunResult> RunAsync(Scenario scenario, int round, int concurrency, TimeSpan warmup, TimeSpan duration)
    {
        using var client = ClientFor(scenario, concurrency);

        await ProbeAsync(client, scenario);
        await DriveAsync(client, scenario.Path, concurrency, warmup, latencies: null, failures: null);
        var latencies = Enumerable.Range(0, concurrency).Select(_ => new List<double>()).ToArray();
        var failures = new long[concurrency];
        var clock = Stopwatch.StartNew();
        await DriveAsync(client, scenario.Path, concurrency, duration, latencies, failures);
        var seconds = clock.Elapsed.TotalSeconds;

        var all = latencies.SelectMany(l => l).Order().ToArray();
        return new RunResult(scenario.Name, round, all.Length, failures.Sum(), seconds, Percentile(all, 0.50), Percentile(all, 0.95), Percentile(all, 0.99));
    }

    /// <summary>Each worker records into its own list (no shared state on the hot path); null lists mean warm-up.</summary>
    private static async Task DriveAsync(HttpClient client, string path, int workers, TimeSpan length, List<double>[]? latencies, long[]? failures)
    {
        var until = Stopwatch.GetTimestamp() + (long)(length.TotalSeconds * Stopwatch.Frequency);
        await Task.WhenAll(Enumerable.Range(0, workers).Select(async worker =>
        {
            while (Stopwatch.GetTimestamp() < until)
            {
                var start = Stopwatch.GetTimestamp();
                using var response = await client.GetAsync(path, HttpCompletionOption.ResponseContentRead);
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

    /// <summary>
    /// <paramref name="perSecond"/> requests a second on a fixed schedule for <paramref name="duration"/> (after as long
    /// a warm-up at the same pace): each is sent at its time, whether or not earlier ones have answered, so a slow answer
    /// shows as its own latency and does not delay the next request (no coordinated omission).
    /// </summary>
    public static async Task<RunResult> PacedAsync(Scenario scenario, int round, int perSecond, TimeSpan warmup, TimeSpan duration)
    {
        using var client = ClientFor(scenario, int.MaxValue);

        await ProbeAsync(client, scenario);
        await PaceAsync(client, scenario.Path, perSecond, warmup);
        var clock = Stopwatch.StartNew();
        var answers = await PaceAsync(client, scenario.Path, perSecond, duration);
        var seconds = clock.Elapsed.TotalSeconds;
        var latencies = answers.Where(a => a.Ok).Select(a => a.Ms).Order().ToArray();
        return new RunResult(scenario.Name, round, latencies.Length, answers.Count(a => !a.Ok), seconds,
            Percentile(latencies, 0.50), Percentile(latencies, 0.95), Percentile(latencies, 0.99));
    }

    private static async Task<(bool Ok, double Ms)[]> PaceAsync(HttpClient client, string path, int perSecond, TimeSpan length)
    {
        var interval = Stopwatch.Frequency / perSecond;
        var count = (int)(length.TotalSeconds * perSecond);
        var start = Stopwatch.GetTimestamp();
        var requests = new Task<(bool, double)>[count];
        for (var i = 0; i < count; i++)
        {
            var due = start + i * interval;
            if (Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), due) is { Ticks: > 0 } wait)
            {
                await Task.Delay(wait);
            }

            requests[i] = TimeAsync(client, path);
        }

        return await Task.WhenAll(requests);

        static async Task<(bool, double)> TimeAsync(HttpClient client, string path)
        {
            var sent = Stopwatch.GetTimestamp();
            using var response = await client.GetAsync(path, HttpCompletionOption.ResponseContentRead);
            return (response.StatusCode == HttpStatusCode.OK, Stopwatch.GetElapsedTime(sent).TotalMilliseconds);
        }
    }

    /// <summary>A client of the scenario's instance with its bearer, on at most <paramref name="connections"/> connections kept open.</summary>
    private static HttpClient ClientFor(Scenario scenario, int connections)
    {
        var handler = new SocketsHttpHandler { MaxConnectionsPerServer = connections, PooledConnectionLifetime = Timeout.InfiniteTimeSpan };
        var client = new HttpClient(handler, disposeHandler: true) { BaseAddress = scenario.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        if (scenario.Bearer is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", scenario.Bearer);
        }

        return client;
    }

    /// <summary>Fail fast if the scenario is misconfigured: every measured request must be a 200.</summary>
    private static async Task ProbeAsync(HttpClient client, Scenario scenario)
    {
        using var probe = await client.GetAsync(scenario.Path);
        if (probe.StatusCode != HttpStatusCode.OK)
        {
            throw new InvalidOperationException($"{scenario.Name}: GET {scenario.Path} answered {(int)probe.StatusCode}: {await probe.Content.ReadAsStringAsync()}");
        }
    }

    /// <summary>The median of the rounds' figures (a round disturbed by the shared machine moves it least).</summary>
    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];
}
