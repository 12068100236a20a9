using AlyAspire.Shared.Routes;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using AlyAspire.Shared.Credentials;
using AlyAspire.Shared.Scopes;

namespace AlyAspire.SampleAgent;

/// <summary>
/// An integration's own API key: calls endpoints, shows the 403 for a scope the key lacks, then sends a burst
/// until the platform answers 429, honours its Retry-After, and succeeds again.
/// </summary>
internal sealed class ApiKeyFlow(AgentSettings settings, StepReport report)
{
    private const string Merchant = AgentRoutes.Merchant;

    /// <summary>Read-only endpoints and the scope each needs: one the key lacks shows the 403.</summary>
    private static readonly (string Scope, string Path)[] ScopeProbes =
    [
        (ScopeCatalogue.ReadCustomers, $"{Merchant}/customers"),
        (ScopeCatalogue.ReadAnalytics, $"{Merchant}/analytics/summary"),
        (ScopeCatalogue.ReadMedia, $"{Merchant}/media"),
        (ScopeCatalogue.ReadSites, $"{Merchant}/sites"),
        (ScopeCatalogue.ReadContent, $"{Merchant}/products"),
        (ScopeCatalogue.ReadOrders, $"{Merchant}/orders"),
    ];

    public async Task RunAsync(CancellationToken ct)
    {
        var key = settings.ApiKey;
        if (string.IsNullOrWhiteSpace(key))
        {
            throw new AgentStepFailedException("no API key: pass --key aly_… or set ALY_API_KEY (create one in the dashboard: Settings → API keys)");
        }

        report.Info($"using API key {CredentialFormats.DisplayForm(key)}");
        using var http = new HttpClient { BaseAddress = settings.StorefrontApi, Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);

        // 1. Who am I: the key's workspace and scopes, as the platform sees them.
        using var me = await report.SendAsync($"GET {Merchant}/me", http, new HttpRequestMessage(HttpMethod.Get, $"{Merchant}/me"), HttpStatusCode.OK, ct);
        var identity = await me.Content.ReadFromJsonAsync<JsonElement>(ct);
        var scopes = identity.GetProperty("scopes").EnumerateArray().Select(s => s.GetString()!).ToHashSet();
        report.Info($"workspace {identity.GetProperty("workspaceId")}  scopes: {string.Join(' ', scopes)}");

        // 2. A call the key may make.
        var allowed = ScopeProbes.FirstOrDefault(p => scopes.Contains(p.Scope));
        if (allowed.Path is null)
        {
            throw new AgentStepFailedException("the key holds none of the read scopes this agent probes; create one with read:orders");
        }

        using (await report.SendAsync($"GET {allowed.Path} ({allowed.Scope})", http, new HttpRequestMessage(HttpMethod.Get, allowed.Path), HttpStatusCode.OK, ct))
        {
        }

        // 3. A call the key may not make: 403 insufficient_scope naming the scope it needs.
        var lacking = ScopeProbes.FirstOrDefault(p => !scopes.Contains(p.Scope));
        if (lacking.Path is null)
        {
            report.Info("the key holds every scope probed: create a narrower key to see a 403 insufficient_scope");
        }
        else
        {
            using var forbidden = await report.SendAsync($"GET {lacking.Path} without {lacking.Scope}", http,
                new HttpRequestMessage(HttpMethod.Get, lacking.Path), HttpStatusCode.Forbidden, ct);
            var challenge = forbidden.Headers.WwwAuthenticate.ToString();
            if (!challenge.Contains("insufficient_scope", StringComparison.Ordinal) || !challenge.Contains(lacking.Scope, StringComparison.Ordinal))
            {
                throw new AgentStepFailedException($"the 403 does not name insufficient_scope and {lacking.Scope}: {challenge}");
            }

            report.Info($"WWW-Authenticate: {challenge}");
        }

        // 4. A burst until the platform says 429, then honour Retry-After.
        var refusal = await BurstUntilRefusedAsync(http, allowed.Path, ct);
        var retryAfter = refusal.Headers.RetryAfter?.Delta ?? throw new AgentStepFailedException("the 429 has no Retry-After in seconds");
        report.Info($"Retry-After: {retryAfter.TotalSeconds:F0} s  RateLimit: {Header(refusal, "RateLimit")}  RateLimit-Policy: {Header(refusal, "RateLimit-Policy")}");
        report.Info($"problem: {await refusal.Content.ReadAsStringAsync(ct)}");
        report.Info($"waiting {retryAfter.TotalSeconds:F0} s as told…");
        await Task.Delay(retryAfter, ct);
        using (await report.SendAsync($"GET {allowed.Path} after Retry-After", http, new HttpRequestMessage(HttpMethod.Get, allowed.Path), HttpStatusCode.OK, ct))
        {
        }

        report.Done("the API key path behaves as promised.");
    }

    private async Task<HttpResponseMessage> BurstUntilRefusedAsync(HttpClient http, string path, CancellationToken ct)
    {
        const int Concurrency = 16;
        const int MaxRequests = 20_000;
        var stopwatch = Stopwatch.StartNew();
        var sent = 0;
        var statuses = new ConcurrentDictionary<int, int>();
        HttpResponseMessage? refusal = null;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        stop.CancelAfter(TimeSpan.FromSeconds(90));

        async Task WorkerAsync()
        {
            while (!stop.IsCancellationRequested && Interlocked.Increment(ref sent) <= MaxRequests)
            {
                var response = await http.GetAsync(path, stop.Token);
                statuses.AddOrUpdate((int)response.StatusCode, 1, (_, n) => n + 1);
                if (response.StatusCode == HttpStatusCode.TooManyRequests && Interlocked.CompareExchange(ref refusal, response, null) is null)
                {
                    await stop.CancelAsync();
                    return;
                }

                response.Dispose();
            }
        }

        try
        {
            await Task.WhenAll(Enumerable.Range(0, Concurrency).Select(_ => WorkerAsync()));
        }
        catch (OperationCanceledException) when (refusal is not null || !ct.IsCancellationRequested)
        {
            // The burst stops as soon as one request is refused.
        }

        var summary = string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{s.Value}×{s.Key}"));
        if (refusal is null)
        {
            throw new AgentStepFailedException($"no 429 after a burst of {Math.Min(sent, MaxRequests)} requests ({summary})");
        }

        if (statuses.Keys.Any(status => status >= 500))
        {
            throw new AgentStepFailedException($"the burst got server errors: {summary}");
        }

        report.Pass($"Burst of requests until refused", $"429 after {summary}", stopwatch.Elapsed);
        return refusal;
    }

    private static string Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? string.Join(", ", values) : "(none)";
}
