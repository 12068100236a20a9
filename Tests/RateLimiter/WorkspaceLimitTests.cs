using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AlyAspire.RateLimiter.Client.Workspace;
using AlyAspire.Shared.Errors;
using AlyAspire.Shared.RateLimiting;
using AlyAspire.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace AlyAspire.Tests.RateLimiter;

/// <summary>The workspace layer end to end: agent surface → RateLimiter (gRPC) → Redis.</summary>
[Collection(PlatformCollection.Name)]
public sealed class WorkspaceLimitTests(PlatformFixture platform)
{
    // The pre-auth layer is not under test here: every request of these tests comes from one address.
    private static readonly Dictionary<string, string?> NoPreAuthLimit = new()
    {
        ["RateLimits:PreAuth:TokenLimit"] = "1000000",
        ["RateLimits:PreAuth:TokensPerPeriod"] = "1000000",
    };

    [Fact]
    public async Task Fifty_concurrent_clients_over_two_instances_are_allowed_exactly_the_workspace_limit()
    {
        // A window far longer than the test, so the budget allows exactly its burst (= the limit) and no refill.
        const int limit = 200;
        var workspaceId = await RateLimiterAdmin.NewWorkspaceAsync(platform,
            new LimitDto(limit, 3600, limit), perCredential: new LimitDto(10_000, 3600, 10_000));
        await RateLimiterAdmin.WaitUntilDecidingAsync(platform);
        await using var first = await AgentSurfaceHost.StartAsync(platform, NoPreAuthLimit);
        await using var second = await AgentSurfaceHost.StartAsync(platform, NoPreAuthLimit);

        var clients = Enumerable.Range(0, 50).Select(async client =>
        {
            var host = client % 2 == 0 ? first : second;
            var statuses = new List<HttpStatusCode>();
            for (var i = 0; i < 8; i++)
            {
                using var response = await host.GetAsync(AgentSurfaceHost.Bearer(workspaceId, $"cred_{client}"));
                statuses.Add(response.StatusCode);
            }

            return statuses;
        });
        var statuses = (await Task.WhenAll(clients)).SelectMany(s => s).ToList();

        Assert.Equal(400, statuses.Count);
        Assert.All(statuses, s => Assert.True(s is HttpStatusCode.OK or HttpStatusCode.TooManyRequests, $"Unexpected {s}"));
        var allowed = statuses.Count(s => s == HttpStatusCode.OK);
        Assert.InRange(allowed, limit - limit / 100, limit + limit / 100);
    }

    [Fact]
    public async Task Leases_serve_busy_credentials_of_a_large_budget_over_two_instances_without_ever_overspending_it()
    {
        // Large enough to lease from (a lease takes at most a thousandth of what remains), small enough to run out.
        // The longest window, so the budget refills by well under one request while the test runs.
        const int limit = 5_000, window = 86_400;
        var workspaceId = await RateLimiterAdmin.NewWorkspaceAsync(platform,
            new LimitDto(limit, window, limit), perCredential: new LimitDto(100_000, window, 100_000));
        await RateLimiterAdmin.WaitUntilDecidingAsync(platform);
        await using var first = await AgentSurfaceHost.StartAsync(platform, NoPreAuthLimit);
        await using var second = await AgentSurfaceHost.StartAsync(platform, NoPreAuthLimit);
        IWorkspaceRateLimiter[] instances =
        [
            first.Services.GetRequiredService<IWorkspaceRateLimiter>(),
            second.Services.GetRequiredService<IWorkspaceRateLimiter>(),
        ];

        var started = Stopwatch.GetTimestamp();
        var workers = Enumerable.Range(0, 50).Select(async worker =>
        {
            var decisions = new List<WorkspaceRateLimitDecision>();
            for (var i = 0; i < 120; i++)
            {
                decisions.Add(await instances[worker % 2].CheckAsync(workspaceId, $"cred_{worker % 4}"));
            }

            return decisions;
        });
        var decisions = (await Task.WhenAll(workers)).SelectMany(d => d).ToList();
        var refilled = (int)(Stopwatch.GetElapsedTime(started).TotalSeconds * limit / window);

        Assert.All(decisions, d => Assert.True(d.Source is RateLimitDecisionSource.RateLimiter or RateLimitDecisionSource.Lease, $"Unexpected {d.Source}"));
        Assert.Contains(decisions, d => d.Source == RateLimitDecisionSource.Lease);
        // Never more than the budget (plus what it refilled meanwhile); unspent leases may leave it short by under 1 %.
        Assert.InRange(decisions.Count(d => d.IsAllowed), limit - limit / 100, limit + refilled);
    }

    [Fact]
    public async Task Credentials_of_one_workspace_share_its_budget_and_workspaces_do_not()
    {
        var shared = await RateLimiterAdmin.NewWorkspaceAsync(platform, new LimitDto(4, 3600, 4));
        var other = await RateLimiterAdmin.NewWorkspaceAsync(platform, new LimitDto(4, 3600, 4));
        await using var host = await AgentSurfaceHost.StartAsync(platform, NoPreAuthLimit);

        var key = AgentSurfaceHost.Bearer(shared, "key_1");
        var token = AgentSurfaceHost.Bearer(shared, "oauth_1");
        Assert.Equal(HttpStatusCode.OK, (await host.GetAsync(key)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await host.GetAsync(key)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await host.GetAsync(token)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await host.GetAsync(token)).StatusCode);
        // Four requests over two credentials used up the workspace: both are refused now.
        Assert.Equal(HttpStatusCode.TooManyRequests, (await host.GetAsync(key)).StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await host.GetAsync(token)).StatusCode);

        // Another workspace's budget is untouched.
        Assert.Equal(HttpStatusCode.OK, (await host.GetAsync(AgentSurfaceHost.Bearer(other, "key_1"))).StatusCode);
    }

    [Fact]
    public async Task A_tighter_credential_limit_refuses_that_credential_only_and_its_refusals_cost_the_workspace_nothing()
    {
        var workspaceId = await RateLimiterAdmin.NewWorkspaceAsync(platform, new LimitDto(10, 3600, 10), perCredential: new LimitDto(2, 3600, 2));
        await using var host = await AgentSurfaceHost.StartAsync(platform, NoPreAuthLimit);
        var greedy = AgentSurfaceHost.Bearer(workspaceId, "greedy");

        Assert.Equal(HttpStatusCode.OK, (await host.GetAsync(greedy)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await host.GetAsync(greedy)).StatusCode);
        for (var i = 0; i < 5; i++)
        {
            using var refused = await host.GetAsync(greedy);
            Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
            Assert.Equal("credential", (await ReadProblemAsync(refused)).GetProperty("layer").GetString());
        }

        // The workspace lost only the two allowed requests: 8 of 10 remain for another credential.
        var limiter = host.Services.GetRequiredService<IWorkspaceRateLimiter>();
        var decision = await limiter.CheckAsync(workspaceId, "patient");
        Assert.True(decision.IsAllowed);
        Assert.Equal(7, decision.Quotas.Single(q => q.Policy == RateLimitPolicies.Workspace).Remaining);
    }

    [Fact]
    public async Task A_refusal_is_a_429_with_retry_after_ratelimit_headers_and_a_problem_naming_the_layer()
    {
        var workspaceId = await RateLimiterAdmin.NewWorkspaceAsync(platform, new LimitDto(2, 60, 2), perCredential: new LimitDto(100, 60, 100));
        await using var host = await AgentSurfaceHost.StartAsync(platform, NoPreAuthLimit);
        var bearer = AgentSurfaceHost.Bearer(workspaceId, "key_1");

        using var allowed = await host.GetAsync(bearer);
        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        Assert.Equal("\"workspace\";q=2;w=60, \"credential\";q=100;w=60", Header(allowed, "RateLimit-Policy"));
        Assert.Matches("^\"workspace\";r=1;t=\\d+, \"credential\";r=99;t=\\d+$", Header(allowed, "RateLimit"));

        // A plain RequestDelegate endpoint draws from the same budget.
        var rpc = new HttpRequestMessage(HttpMethod.Post, "/agent/rpc");
        rpc.Headers.TryAddWithoutValidation("Authorization", "Bearer " + bearer);
        Assert.Equal(HttpStatusCode.OK, (await host.Client.SendAsync(rpc)).StatusCode);

        using var refused = await host.GetAsync(bearer);
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        var retryAfter = int.Parse(Header(refused, "Retry-After"), System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(retryAfter, 1, 31);
        Assert.Matches("^\"workspace\";r=0;t=\\d+", Header(refused, "RateLimit"));
        Assert.StartsWith("\"workspace\";q=2;w=60", Header(refused, "RateLimit-Policy"));
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        var problem = await ReadProblemAsync(refused);
        Assert.Equal(ProblemTypes.RateLimited, problem.GetProperty("type").GetString());
        Assert.Equal(429, problem.GetProperty("status").GetInt32());
        Assert.Equal("workspace", problem.GetProperty("layer").GetString());

        // Endpoints without an agent principal are not counted.
        Assert.Equal(HttpStatusCode.OK, (await host.Client.GetAsync("/anonymous")).StatusCode);
    }

    [Fact]
    public async Task A_client_that_waits_for_retry_after_is_allowed_again()
    {
        var workspaceId = await RateLimiterAdmin.NewWorkspaceAsync(platform, new LimitDto(3, 2, 3));
        await using var host = await AgentSurfaceHost.StartAsync(platform, NoPreAuthLimit);
        var bearer = AgentSurfaceHost.Bearer(workspaceId, "key_1");

        HttpResponseMessage refused;
        var allowed = 0;
        while ((refused = await host.GetAsync(bearer)).StatusCode == HttpStatusCode.OK)
        {
            allowed++;
        }

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.InRange(allowed, 3, 4);
        var retryAfter = refused.Headers.RetryAfter?.Delta ?? throw new Xunit.Sdk.XunitException("No Retry-After.");
        Assert.True(retryAfter >= TimeSpan.FromSeconds(1));

        await Task.Delay(retryAfter);
        Assert.Equal(HttpStatusCode.OK, (await host.GetAsync(bearer)).StatusCode);
    }

    private static string Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? string.Join(", ", values) : throw new Xunit.Sdk.XunitException($"No {name} header.");

    internal static async Task<JsonElement> ReadProblemAsync(HttpResponseMessage response) =>
        await response.Content.ReadFromJsonAsync<JsonElement>();
}
