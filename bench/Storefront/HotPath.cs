using System.Globalization;
using AlyAspire.Bench.Support;

namespace AlyAspire.Bench.Storefront;

/// <summary>
/// What the bearer gate adds to the cheapest gated request: <c>GET …/merchant/me</c> with an API key against
/// <c>/alive</c> (no gate, no store) of the same StorefrontApi instance, interleaved round by round. Paced at 40
/// requests a second (latency: p50, p99), then closed-loop at <c>concurrency</c> (throughput), the workspace's and the
/// per-IP budgets lifted so every request is a 200 while both rate-limit layers still run. The same request on the
/// instance without the limits (<see cref="StorefrontInstances.Unlimited"/>) tells the gate's share from the limits'.
/// </summary>
internal static class HotPath
{
    private const int PerSecond = 40;

    public static async Task RunAsync(BenchPlatform stack, int rounds, int seconds, int warmup, int concurrency, string? profileDirectory)
    {
        var storefront = stack.Endpoint("storefrontapi");
        var apiKey = await BenchCredentials.ApiKeyAsync(stack);
        var alive = new Scenario("/alive", storefront, null, LoadRun.AlivePath);
        var me = new Scenario("gated /merchant/me, API key", storefront, apiKey, LoadRun.MePath);
        // Attribution: the same request on the instance without the rate limits (the gate alone).
        var gateOnly = new Scenario("gate only /me (limits off)", stack.Endpoint(StorefrontInstances.Unlimited), apiKey, LoadRun.MePath);

        // Unrecorded: the JIT, the verification cache and the rate-limit leases settle first.
        foreach (var scenario in new[] { gateOnly, me, alive })
        {
            await LoadRun.RunAsync(scenario, 0, concurrency, TimeSpan.FromSeconds(warmup), TimeSpan.Zero);
        }

        var paced = new List<RunResult>();
        var closed = new List<RunResult>();
        for (var round = 1; round <= rounds; round++)
        {
            var order = round % 2 == 1 ? new[] { alive, me, gateOnly } : [gateOnly, me, alive];
            foreach (var scenario in order)
            {
                var result = await LoadRun.PacedAsync(scenario, round, PerSecond, TimeSpan.FromSeconds(warmup), TimeSpan.FromSeconds(seconds));
                paced.Add(result);
                Print($"paced {PerSecond}/s", result);
            }

            foreach (var scenario in order)
            {
                var result = await LoadRun.RunAsync(scenario, round, concurrency, TimeSpan.FromSeconds(warmup), TimeSpan.FromSeconds(seconds));
                closed.Add(result);
                Print($"closed {concurrency}", result);
            }
        }

        double P99(IEnumerable<RunResult> runs, Scenario scenario) => LoadRun.Median(runs.Where(r => r.Scenario == scenario.Name).Select(r => r.P99Ms));
        double P50(IEnumerable<RunResult> runs, Scenario scenario) => LoadRun.Median(runs.Where(r => r.Scenario == scenario.Name).Select(r => r.P50Ms));
        double Rate(IEnumerable<RunResult> runs, Scenario scenario) => LoadRun.Median(runs.Where(r => r.Scenario == scenario.Name).Select(r => r.Throughput));

        Console.WriteLine();
        Console.WriteLine($"| measure (median of {rounds} rounds of {seconds} s) | /alive | gated /me | /me ÷ /alive | gate only /me (limits off) |");
        Console.WriteLine("|---|---:|---:|---:|---:|");
        Console.WriteLine(Row($"p50 ms at {PerSecond} req/s", P50(paced, alive), P50(paced, me), P50(paced, gateOnly)));
        Console.WriteLine(Row($"p99 ms at {PerSecond} req/s", P99(paced, alive), P99(paced, me), P99(paced, gateOnly)));
        Console.WriteLine(Row($"req/s, {concurrency} connections", Rate(closed, alive), Rate(closed, me), Rate(closed, gateOnly)));
        Console.WriteLine($"(non-200 answers: {paced.Concat(closed).Sum(r => r.Failures)})");

        if (profileDirectory is null)
        {
            return;
        }

        Directory.CreateDirectory(profileDirectory);
        Console.WriteLine($"pids: storefrontapi {await stack.ProcessIdAsync("storefrontapi", "StorefrontApi")}, "
                          + $"{StorefrontInstances.Unlimited} {await stack.ProcessIdAsync(StorefrontInstances.Unlimited, "StorefrontApi")}");
        foreach (var (scenario, name) in new[] { (alive, "alive"), (me, "me"), (gateOnly, "gate-only") })
        {
            var file = Path.GetFullPath(Path.Combine(profileDirectory, name + ".perf.data"));
            await LoadRun.RunAsync(scenario, 0, concurrency, TimeSpan.FromSeconds(warmup), TimeSpan.Zero);
            using var perf = MachineProfile.Record(file, TimeSpan.FromSeconds(seconds));
            var result = await LoadRun.RunAsync(scenario, 0, concurrency, TimeSpan.Zero, TimeSpan.FromSeconds(seconds));
            await perf.WaitForExitAsync();
            Print($"profiled {concurrency}", result);
            Console.WriteLine($"  -> {file}");
        }
    }

    private static string Row(string measure, double alive, double me, double gateOnly) =>
        string.Create(CultureInfo.InvariantCulture, $"| {measure} | {alive:F2} | {me:F2} | {me / alive:F2}× | {gateOnly:F2} |");

    private static void Print(string load, RunResult result) =>
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"round {result.Round} {load,-12} {result.Scenario,-28} {result.Throughput,8:F0} req/s  p50 {result.P50Ms,6:F2} ms  p99 {result.P99Ms,6:F2} ms  non-200 {result.Failures}"));
}
