using System.Net;
using System.Net.Http.Json;
using AlyAspire.Shared.ApiKeys;
using AlyAspire.Shared.Scopes;
using AlyAspire.Shared.Usage;
using AlyAspire.Tests.Infrastructure;
using AlyAspire.Tests.StorefrontApi;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace AlyAspire.Tests.EndToEnd;

/// <summary>
/// Exact usage: every request an agent makes is counted once, whichever replica answered it and whether the gate
/// verified the credential afresh or from its cache; the dashboard (in Chromium) and <c>/merchant/usage</c> show the
/// same numbers, allowed and refused apart.
/// </summary>
[Collection(PlatformCollection.Name)]
public sealed class UsageMeteringTests(PlatformFixture platform)
{
    private const string OrdersPath = StorefrontAgents.MerchantPath + "/orders";

    // Needs read:customers, which none of the credentials below holds: a 403 for each.
    private const string CustomersPath = StorefrontAgents.MerchantPath + "/customers";

    private const string UsagePath = StorefrontAgents.MerchantPath + "/usage";

    private static ApiKeyActor Owner => TestActors.Owner(StorefrontAgents.DemoStore);

    private static readonly TimeSpan CountedWithin = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Requests_with_one_key_across_both_replicas_are_counted_exactly_on_the_dashboard_and_for_agents()
    {
        const int allowed = 40;
        const int refused = 6;
        await platform.RaiseLimitsAsync(StorefrontAgents.DemoStore);
        var keys = await platform.ApiKeyClientAsync();
        var key = await keys.CreateAsync(StorefrontAgents.DemoStore,
            new CreateApiKeyRequest($"usage {Guid.NewGuid():N}"[..22], [ScopeCatalogue.ReadOrders], null), Owner);

        // Alternating between the replicas: each verifies the key with the KeyService once and answers the rest from
        // its verification cache, which is exactly where counting used to stop.
        var replicas = await platform.RunningAsync();
        var clients = replicas.Select(r => r.Client(key.Secret)).ToArray();
        for (var i = 0; i < allowed; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await clients[i % 2].GetAsync(OrdersPath)).StatusCode);
        }

        for (var i = 0; i < refused; i++)
        {
            Assert.Equal(HttpStatusCode.Forbidden, (await clients[i % 2].GetAsync(CustomersPath)).StatusCode);
        }

        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        var counted = await CountedForAgentAsync(UsageCredentialKinds.ApiKey, key.Key.Id.ToString(), allowed, refused);
        var day = Assert.Single(counted.Days);
        Assert.Equal((today, allowed, refused, refused), (day.Day, day.Allowed, day.Refused, day.Forbidden));
        Assert.Equal((allowed, refused), (counted.Allowed, counted.Refused));
        Assert.NotNull(counted.LastUsedAt);

        await using var person = await BrowserPerson.StartAsync(platform);
        await person.OpenAsync($"/settings/api-keys/{key.Key.Id}");
        var todayBar = person.Page.Locator($"figure[data-chart='key-usage'] g[data-usage-day='{today:yyyy-MM-dd}']");
        Assert.Equal(allowed.ToString(), await todayBar.GetAttributeAsync("data-allowed"));
        Assert.Equal(refused.ToString(), await todayBar.GetAttributeAsync("data-refused"));
        Assert.Equal(30, await person.Page.Locator("figure[data-chart='key-usage'] g[data-usage-day]").CountAsync());
        Assert.NotEqual("never", (await person.Page.Locator("[data-last-used]").InnerTextAsync()).Trim());
        await person.Page.ScreenshotAsync(new() { Path = Path.Combine(RepositoryPaths.Artifacts, "usage-api-key-chart.png"), FullPage = true });

        await person.OpenAsync("/settings/api-keys");
        Assert.Contains($"{allowed} allowed", await person.Page.Locator($"td[data-key-requests='{key.Key.Id}']").InnerTextAsync());
        Assert.Equal(1, await person.Page.Locator("figure[data-chart='workspace-keys'] svg").CountAsync());
        await person.Page.ScreenshotAsync(new() { Path = Path.Combine(RepositoryPaths.Artifacts, "usage-api-keys-page.png"), FullPage = true });
    }

    [Fact]
    public async Task Requests_with_an_oauth_token_are_counted_per_grant_on_connected_apps_and_for_agents()
    {
        const int allowed = 24;
        const int refused = 4;
        await platform.RaiseLimitsAsync(StorefrontAgents.DemoStore);
        using var authServer = platform.CreateClient("authserver");
        var oauth = new OAuthTestClient(authServer);
        var clientId = await oauth.RegisterPublicClientAsync(scope: ScopeCatalogue.ReadOrders);
        var pkce = OAuthTestClient.NewPkce();
        await using var person = await BrowserPerson.StartAsync(platform);
        var (query, _) = await person.AuthorizeAsync(oauth.AuthorizeUrl(clientId, pkce, ScopeCatalogue.ReadOrders, person.RedirectUri));
        var tokens = await oauth.RedeemCodeAsync(clientId, query["code"]!, pkce, person.RedirectUri);
        var accessToken = tokens.GetProperty("access_token").GetString()!;

        var replicas = await platform.RunningAsync();
        var clients = replicas.Select(r => r.Client(accessToken)).ToArray();
        for (var i = 0; i < allowed; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await clients[i % 2].GetAsync(OrdersPath)).StatusCode);
        }

        for (var i = 0; i < refused; i++)
        {
            Assert.Equal(HttpStatusCode.Forbidden, (await clients[i % 2].GetAsync(CustomersPath)).StatusCode);
        }

        // The grant is the credential (it outlives each hourly token); the report names its client.
        WorkspaceUsageReport? report = null;
        CredentialUsage? grant = null;
        await Eventually.SucceedsAsync(async () =>
        {
            report = await ReadUsageAsync(null, null);
            grant = Assert.Single(report.Credentials, c => c.ClientId == clientId);
            Assert.Equal((allowed, refused), (grant.Allowed, grant.Refused));
        }, CountedWithin);
        Assert.Equal(UsageCredentialKinds.OAuth, grant!.CredentialKind);

        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        await person.OpenAsync("/connected-apps");
        var todayBar = person.Page.Locator($"figure[data-chart='app-usage-{grant.CredentialId}'] g[data-usage-day='{today:yyyy-MM-dd}']");
        Assert.Equal(allowed.ToString(), await todayBar.GetAttributeAsync("data-allowed"));
        Assert.Equal(refused.ToString(), await todayBar.GetAttributeAsync("data-refused"));
        await person.Page.ScreenshotAsync(new() { Path = Path.Combine(RepositoryPaths.Artifacts, "usage-connected-apps.png"), FullPage = true });

        // The workspace page: the budget in force (the tests' override) and every credential's requests.
        await person.OpenAsync("/usage");
        Assert.Contains("1000000 requests per 60 s", await person.Page.Locator("[data-budget='workspace']").InnerTextAsync());
        Assert.Contains("set by an operator", await person.Page.Locator("[data-override]").InnerTextAsync());
        Assert.Equal(1, await person.Page.Locator($"tr[data-rate-limited-day='{today:yyyy-MM-dd}']").CountAsync());
        var row = person.Page.Locator($"tr[data-credential='{UsageCredentialKinds.OAuth}:{grant.CredentialId}']");
        Assert.Contains(clientId, await row.InnerTextAsync());
        await person.Page.ScreenshotAsync(new() { Path = Path.Combine(RepositoryPaths.Artifacts, "usage-workspace-page.png"), FullPage = true });
    }

    [Fact]
    public async Task Restarting_a_replica_gracefully_under_load_loses_no_counted_request()
    {
        await platform.RaiseLimitsAsync(StorefrontAgents.DemoStore);
        var keys = await platform.ApiKeyClientAsync();
        var key = await keys.CreateAsync(StorefrontAgents.DemoStore,
            new CreateApiKeyRequest($"restart {Guid.NewGuid():N}"[..22], [ScopeCatalogue.ReadOrders], null), Owner);
        var replicas = await platform.RunningAsync();
        var restarted = replicas[0];

        // Load through the shared endpoint (round robin over both replicas) until the restarted replica is back.
        var answeredOk = 0;
        using var stopLoad = new CancellationTokenSource();
        var load = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            using var storefront = platform.Storefront(key.Secret);
            while (!stopLoad.IsCancellationRequested)
            {
                try
                {
                    using var response = await storefront.GetAsync(OrdersPath, CancellationToken.None);
                    if (response.StatusCode == HttpStatusCode.OK)
                    {
                        Interlocked.Increment(ref answeredOk);
                    }
                }
                catch (HttpRequestException)
                {
                    // The replica going away refused the connection: not answered, so not counted either.
                }
            }
        })).ToArray();

        await Eventually.SucceedsAsync(() => { Assert.True(Volatile.Read(ref answeredOk) > 20); return Task.CompletedTask; }, TimeSpan.FromSeconds(60));
        using var cts = new CancellationTokenSource(PlatformFixture.StartTimeout);
        var requestedAt = DateTime.UtcNow.AddSeconds(-1);
        var result = await platform.App.ResourceCommands.ExecuteCommandAsync(restarted.ResourceId, KnownResourceCommands.RestartCommand, cts.Token);
        Assert.True(result.Success, $"Restarting {restarted.ResourceId} failed: {result.Message}");
        await platform.App.ResourceNotifications.WaitForResourceAsync("storefrontapi",
            e => e.ResourceId == restarted.ResourceId && e.Snapshot.State?.Text == KnownResourceStates.Running
                 && e.Snapshot.StartTimeStamp >= requestedAt && e.Snapshot.HealthStatus == HealthStatus.Healthy,
            cts.Token);
        var beforeRestartDone = Volatile.Read(ref answeredOk);
        await Eventually.SucceedsAsync(() => { Assert.True(Volatile.Read(ref answeredOk) > beforeRestartDone + 20); return Task.CompletedTask; }, TimeSpan.FromSeconds(60));
        await stopLoad.CancelAsync();
        await Task.WhenAll(load);

        var expected = Volatile.Read(ref answeredOk);
        var counted = await CountedForAgentAsync(UsageCredentialKinds.ApiKey, key.Key.Id.ToString(), expected);
        Assert.Equal(expected, counted.Allowed);
    }

    /// <summary>Reads the credential's usage through <c>/merchant/usage</c> until its allowed count reaches <paramref name="allowed"/>; it must not pass it.</summary>
    private async Task<CredentialUsage> CountedForAgentAsync(string kind, string credentialId, long allowed, long refused = 0)
    {
        CredentialUsage? counted = null;
        await Eventually.SucceedsAsync(async () =>
        {
            var report = await ReadUsageAsync(kind, credentialId);
            counted = Assert.Single(report.Credentials);
            Assert.True(counted.Allowed >= allowed && counted.Refused >= refused, $"{counted.Allowed} of {allowed} allowed and {counted.Refused} of {refused} refused counted so far");
        }, CountedWithin);
        Assert.Equal((allowed, refused), (counted!.Allowed, counted.Refused));
        return counted;
    }

    /// <summary><c>GET /merchant/usage</c> as an agent with <c>read:analytics</c> (a key of its own, so reading counts against the reader only).</summary>
    private async Task<WorkspaceUsageReport> ReadUsageAsync(string? kind, string? credentialId)
    {
        var reader = await platform.ApiKeyAsync(StorefrontAgents.DemoStore, [ScopeCatalogue.ReadAnalytics]);
        using var storefront = platform.Storefront(reader);
        var query = kind is null ? "" : $"&credentialKind={kind}&credentialId={credentialId}";
        using var response = await storefront.GetAsync($"{UsagePath}?days=30{query}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<WorkspaceUsageReport>())!;
    }
}
