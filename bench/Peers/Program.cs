using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using AlyAspire.Bench.Peers;
using AlyAspire.Bench.Support;

// AlyAspire's AuthServer side by side with a peer authorization server (panva's oidc-provider, in memory), in one
// run, interleaved round by round, each on its own port: introspection of a fresh access token by a resource server
// (client_secret_basic), the RFC 8414 discovery document, client_credentials grants (client_secret_basic) and, for
// AlyAspire only, refresh grants (a refresh-token chain per connection, each refresh rotating the token).
//   dotnet run -c Release --project bench/Peers -- [--rounds 3] [--seconds 8] [--warmup 3] [--concurrency 10] [--only <prefix>] [--profile <dir>]
// --only: just the scenarios whose name starts with <prefix> (e.g. `client_credentials`), to measure one lever quickly.
// --profile: after the measured rounds, each AlyAspire scenario but discovery runs again for 3 × seconds under
// `perf record -a -g` of the whole machine (the AuthServer started with DOTNET_PerfMapEnabled=1), one perf.data per
// scenario in <dir>.
var rounds = Option("--rounds", 3);
var seconds = Option("--seconds", 8);
var warmup = Option("--warmup", 3);
var concurrency = Option("--concurrency", 10);
var profileDirectory = args.SkipWhile(a => a != "--profile").Skip(1).FirstOrDefault();
var only = args.SkipWhile(a => a != "--only").Skip(1).FirstOrDefault() ?? "";
var peerDirectory = Path.Combine(RepositoryRoot(), "bench", "Peers", "peer");

Console.WriteLine($"Starting the peer and the platform (rounds={rounds}, seconds={seconds}, warmup={warmup}, concurrency={concurrency})…");
await using var peer = await PeerServer.StartAsync(peerDirectory);
// The AuthServer's OAuth endpoint limits are lifted (the peer has none): still counted in Redis on every request,
// never refusing one of the benchmark's.
await using var stack = await BenchPlatform.StartAsync(
[
    ("authserver", "Throttling__Token__PerAddress", "1000000"),
    ("authserver", "Throttling__Token__PerClient", "1000000"),
    ("authserver", "Throttling__Introspection__PerAddress", "1000000"),
    ("authserver", "Throttling__Introspection__PerClient", "1000000"),
    ("authserver", "Throttling__Authorization__PerAddress", "1000000"),
    ("authserver", "Throttling__Authorization__PerClient", "1000000"),
    .. profileDirectory is null ? Array.Empty<(string, string, string)>() : [("authserver", "DOTNET_PerfMapEnabled", "1")],
], ownPorts: ["authserver"]);
var authServer = stack.Endpoint("authserver");
Console.WriteLine($"AlyAspire AuthServer on {authServer}, oidc-provider on {peer.Address}");

using var credentials = new PlatformCredentials(authServer);
await credentials.SignInAsync();
var machineClient = await credentials.CreateMachineClientAsync();
var (agentId, refreshTokens) = await credentials.RefreshChainsAsync(concurrency);
// The platform's resource server introspects with its service credential, as the StorefrontApi does.
var resourceServer = Basic(AlyAspire.AgentGate.OAuthTokenVerifier.ClientId, await stack.SecretAsync("introspection-client-secret"));
var machine = Basic(machineClient.ClientId, machineClient.Secret);
var peerClient = Basic(PeerServer.ClientId, peer.ClientSecret);

// A fresh token on each side before every run: issued just then and never introspected before. (Minted once, the
// peer's token would not outlive the run: oidc-provider's in-memory store is a bounded LRU, and the
// client_credentials runs in between evict it.)
var platformToken = "";
var peerToken = "";

var scenarios = new (string Name, Target AlyAspire, Target? Peer)[]
{
    ("introspection (client_secret_basic)",
        new("AlyAspire", authServer, (http, _) => IntrospectAsync(http, "oauth/introspect", resourceServer, platformToken),
            async () => platformToken = await GrantAsync(authServer, "oauth/token", machine)),
        new("oidc-provider", peer.Address, (http, _) => IntrospectAsync(http, "token/introspection", peerClient, peerToken),
            async () => peerToken = await GrantAsync(peer.Address, "token", peerClient))),
    ("discovery (metadata document)",
        new("AlyAspire", authServer, (http, _) => GetOkAsync(http, ".well-known/oauth-authorization-server")),
        new("oidc-provider", peer.Address, (http, _) => GetOkAsync(http, ".well-known/openid-configuration"))),
    ("client_credentials grant",
        new("AlyAspire", authServer, async (http, _) => await TryGrantAsync(http, "oauth/token", machine) is not null),
        new("oidc-provider", peer.Address, async (http, _) => await TryGrantAsync(http, "token", peerClient) is not null)),
    ("refresh grant (rotating)",
        new("AlyAspire", authServer, (http, worker) => RefreshAsync(http, agentId, refreshTokens, worker)),
        null),
}.Where(s => s.Name.StartsWith(only, StringComparison.Ordinal)).ToArray();

// One unrecorded pass over everything first, so the JIT and the connection pools have settled for every scenario.
foreach (var (name, platform, other) in scenarios)
{
    await LoadRun.RunAsync(name, platform, 0, concurrency, TimeSpan.FromSeconds(warmup), TimeSpan.Zero);
    if (other is not null)
    {
        await LoadRun.RunAsync(name, other, 0, concurrency, TimeSpan.FromSeconds(warmup), TimeSpan.Zero);
    }
}

var results = new List<RunResult>();
for (var round = 1; round <= rounds; round++)
{
    foreach (var (name, platform, other) in scenarios)
    {
        // Alternate which server goes first, so neither always runs on the machine the other just warmed.
        var order = other is null ? [platform] : round % 2 == 1 ? new[] { platform, other } : [other, platform];
        foreach (var target in order)
        {
            var result = await LoadRun.RunAsync(name, target, round, concurrency, TimeSpan.FromSeconds(warmup), TimeSpan.FromSeconds(seconds));
            results.Add(result);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"round {round} {name,-36} {target.Server,-14} {result.Throughput,8:F0} req/s  p50 {result.P50Ms,6:F1} ms  p99 {result.P99Ms,6:F1} ms  failed {result.Failures}"));
        }
    }
}

Console.WriteLine();
Console.WriteLine("| scenario | AlyAspire req/s | p50 ms | p99 ms | oidc-provider req/s | p50 ms | p99 ms | ratio |");
Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|");
foreach (var (name, _, other) in scenarios)
{
    var ours = results.Where(r => r.Scenario == name && r.Server == "AlyAspire").ToList();
    var theirs = results.Where(r => r.Scenario == name && r.Server == other?.Server).ToList();
    var ourRate = Median(ours.Select(r => r.Throughput));
    var peerPart = theirs.Count == 0 ? "– | – | – | –" : string.Create(CultureInfo.InvariantCulture,
        $"{Median(theirs.Select(r => r.Throughput)):F0} | {Median(theirs.Select(r => r.P50Ms)):F1} | {Median(theirs.Select(r => r.P99Ms)):F1} | {ourRate / Median(theirs.Select(r => r.Throughput)):F2}×");
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"| {name} | {ourRate:F0} | {Median(ours.Select(r => r.P50Ms)):F1} | {Median(ours.Select(r => r.P99Ms)):F1} | {peerPart} |"));
}

Console.WriteLine($"(median of {rounds} rounds of {seconds} s, {concurrency} connections; non-2xx answers: {results.Sum(r => r.Failures)})");

if (profileDirectory is not null)
{
    Directory.CreateDirectory(profileDirectory);
    var pid = await stack.ProcessIdAsync("authserver", "AuthServer");
    foreach (var (name, platform, _) in scenarios.Where(s => !s.Name.StartsWith("discovery", StringComparison.Ordinal)))
    {
        var file = Path.GetFullPath(Path.Combine(profileDirectory, name.Split(' ')[0] + ".perf.data"));
        await LoadRun.RunAsync(name, platform, 0, concurrency, TimeSpan.FromSeconds(warmup), TimeSpan.Zero);
        using var perf = MachineProfile.Record(file, TimeSpan.FromSeconds(seconds * 3));
        var result = await LoadRun.RunAsync(name, platform, 0, concurrency, TimeSpan.Zero, TimeSpan.FromSeconds(seconds * 3));
        await perf.WaitForExitAsync();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"profiled {name,-36} {result.Throughput,8:F0} req/s  p50 {result.P50Ms,6:F1} ms  p99 {result.P99Ms,6:F1} ms  -> {file} (AuthServer pid {pid})"));
    }
}

static AuthenticationHeaderValue Basic(string clientId, string secret) =>
    // RFC 6749 §2.3.1: both parts form-encoded, then Base64.
    new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{Uri.EscapeDataString(clientId)}:{Uri.EscapeDataString(secret)}")));

static async Task<string> GrantAsync(Uri server, string path, AuthenticationHeaderValue client)
{
    using var http = new HttpClient { BaseAddress = server };
    return await TryGrantAsync(http, path, client) ?? throw new InvalidOperationException($"The client_credentials grant at {server}{path} failed.");
}

static async Task<string?> TryGrantAsync(HttpClient http, string path, AuthenticationHeaderValue client)
{
    using var request = new HttpRequestMessage(HttpMethod.Post, path)
    {
        Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["grant_type"] = "client_credentials", ["scope"] = "read:orders" }),
    };
    request.Headers.Authorization = client;
    using var response = await http.SendAsync(request);
    if (response.StatusCode != HttpStatusCode.OK)
    {
        return null;
    }

    using var body = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync());
    return body.RootElement.GetProperty("access_token").GetString();
}

static async Task<bool> IntrospectAsync(HttpClient http, string path, AuthenticationHeaderValue client, string token)
{
    using var request = new HttpRequestMessage(HttpMethod.Post, path)
    {
        Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["token"] = token, ["token_type_hint"] = "access_token" }),
    };
    request.Headers.Authorization = client;
    using var response = await http.SendAsync(request);
    if (response.StatusCode != HttpStatusCode.OK)
    {
        return false;
    }

    using var body = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync());
    return body.RootElement.TryGetProperty("active", out var active) && active.ValueKind == JsonValueKind.True;
}

static async Task<bool> GetOkAsync(HttpClient http, string path)
{
    using var response = await http.GetAsync(path);
    await response.Content.LoadIntoBufferAsync();
    return response.StatusCode == HttpStatusCode.OK;
}

static async Task<bool> RefreshAsync(HttpClient http, string clientId, string[] chains, int worker)
{
    using var response = await http.PostAsync("oauth/token", new FormUrlEncodedContent(new Dictionary<string, string>
    {
        ["grant_type"] = "refresh_token",
        ["refresh_token"] = chains[worker],
        ["client_id"] = clientId,
    }));
    if (response.StatusCode != HttpStatusCode.OK)
    {
        return false;
    }

    using var body = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync());
    chains[worker] = body.RootElement.GetProperty("refresh_token").GetString()!;
    return true;
}

static double Median(IEnumerable<double> values)
{
    var sorted = values.Order().ToArray();
    return sorted.Length == 0 ? double.NaN
        : sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
}

static string RepositoryRoot()
{
    for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
    {
        if (File.Exists(Path.Combine(directory.FullName, "AlyAspire.sln")))
        {
            return directory.FullName;
        }
    }

    throw new InvalidOperationException("Run the benchmark from within the repository.");
}

int Option(string name, int fallback)
{
    var index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length && int.TryParse(args[index + 1], out var value) ? value : fallback;
}
