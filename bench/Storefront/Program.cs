using System.Globalization;
using AlyAspire.Bench.Storefront;
using AlyAspire.Bench.Support;
using static AlyAspire.Bench.Storefront.LoadRun;

// GET …/merchant/orders through the doors of the same store, in one run, interleaved round by round: the gated
// StorefrontApi with an API key and with an OAuth token, the ungated instance (Benchmark:DisableAgentGate), and, to
// attribute the cost, the gate without the rate limits (Benchmark:DisableRateLimits) and the gated path with every
// request decided by the RateLimiter (RateLimits:Leases:Enabled=false).
//   dotnet run -c Release --project bench/Storefront -- [--rounds 3] [--seconds 15] [--warmup 5] [--concurrency 16]
// --hot-path: instead, the gated GET …/merchant/me against /alive of the same instance (HotPath).
// --profile <dir> (with --hot-path): then each closed-loop scenario once more under `perf record -a -g` of the whole
// machine (the StorefrontApis started with DOTNET_PerfMapEnabled=1), one perf.data per scenario in <dir>.
var rounds = Option("--rounds", 3);
var seconds = Option("--seconds", 15);
var warmup = Option("--warmup", 5);
var concurrency = Option("--concurrency", 16);
var profileDirectory = args.SkipWhile(a => a != "--profile").Skip(1).FirstOrDefault();

// The benchmark client is one IP sending thousands of requests: the limits stay in the gated path (their cost is
// measured) but with budgets this load never exhausts (the per-IP bucket here, the workspace's through an override).
(string, string, string)[] settings =
[
    ("storefrontapi", "RateLimits__PreAuth__TokenLimit", "1000000"),
    ("storefrontapi", "RateLimits__PreAuth__TokensPerPeriod", "1000000"),
    (StorefrontInstances.PerRequest, "RateLimits__PreAuth__TokenLimit", "1000000"),
    (StorefrontInstances.PerRequest, "RateLimits__PreAuth__TokensPerPeriod", "1000000"),
    .. profileDirectory is null ? Array.Empty<(string, string, string)>()
        : [("storefrontapi", "DOTNET_PerfMapEnabled", "1"), (StorefrontInstances.Unlimited, "DOTNET_PerfMapEnabled", "1")],
];

Console.WriteLine($"Starting the platform (rounds={rounds}, seconds={seconds}, warmup={warmup}, concurrency={concurrency})…");
await using var stack = await BenchPlatform.StartAsync(settings, StorefrontInstances.Measured, StorefrontInstances.Add);
await BenchCredentials.RaiseWorkspaceLimitsAsync(stack);
if (args.Contains("--hot-path"))
{
    await HotPath.RunAsync(stack, rounds, seconds, warmup, concurrency, profileDirectory);
    return;
}

var scenarios = new[]
{
    new Scenario("ungated (gate and limits off)", stack.Endpoint(StorefrontInstances.Ungated), null),
    new Scenario("gated, API key", stack.Endpoint("storefrontapi"), await BenchCredentials.ApiKeyAsync(stack)),
    new Scenario("gated, OAuth token", stack.Endpoint("storefrontapi"), await BenchCredentials.OAuthTokenAsync(stack)),
};
// Attribution: the gate with an API key but without the rate limits, and with every request decided by the RateLimiter.
scenarios =
[
    .. scenarios,
    new Scenario("gate only (limits off), API key", stack.Endpoint(StorefrontInstances.Unlimited), scenarios[1].Bearer),
    new Scenario("gated, API key, no leases", stack.Endpoint(StorefrontInstances.PerRequest), scenarios[1].Bearer),
];

// One unrecorded pass over every instance first: the JIT's optimised code and the connection pools settle, so the
// first measured round is not the slow one for whichever scenario happens to open it.
foreach (var scenario in scenarios)
{
    await LoadRun.RunAsync(scenario, round: 0, concurrency, TimeSpan.FromSeconds(warmup), TimeSpan.Zero);
}

var results = new List<RunResult>();
for (var round = 1; round <= rounds; round++)
{
    // Each round starts with the next scenario, so none always runs first (or right after the same neighbour).
    foreach (var scenario in scenarios.Skip((round - 1) % scenarios.Length).Concat(scenarios.Take((round - 1) % scenarios.Length)))
    {
        var result = await LoadRun.RunAsync(scenario, round, concurrency, TimeSpan.FromSeconds(warmup), TimeSpan.FromSeconds(seconds));
        results.Add(result);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"round {round} {scenario.Name,-34} {result.Throughput,8:F0} req/s  p50 {result.P50Ms,6:F1} ms  p95 {result.P95Ms,6:F1} ms  p99 {result.P99Ms,6:F1} ms  non-200 {result.Failures}"));
    }
}

var baseline = Median(results.Where(r => r.Scenario == scenarios[0].Name).Select(r => r.Throughput));
Console.WriteLine();
Console.WriteLine("| scenario | req/s (median of rounds) | vs ungated | p50 ms | p95 ms | p99 ms | non-200 |");
Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|");
foreach (var scenario in scenarios)
{
    var runs = results.Where(r => r.Scenario == scenario.Name).ToList();
    var throughput = Median(runs.Select(r => r.Throughput));
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"| {scenario.Name} | {throughput:F0} | {throughput / baseline:P1} | {Median(runs.Select(r => r.P50Ms)):F1} | {Median(runs.Select(r => r.P95Ms)):F1} | {Median(runs.Select(r => r.P99Ms)):F1} | {runs.Sum(r => r.Failures)} |"));
}

int Option(string name, int fallback)
{
    var index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length && int.TryParse(args[index + 1], out var value) ? value : fallback;
}
