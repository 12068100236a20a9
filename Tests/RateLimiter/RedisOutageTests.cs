using System.Net;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using AlyAspire.RateLimiter.Client.Workspace;
using AlyAspire.Shared.Errors;
using AlyAspire.Shared.RateLimiting;
using AlyAspire.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace AlyAspire.Tests.RateLimiter;

/// <summary>
/// Redis stops mid-test: agent requests keep getting answers (never 5xx) in each failure mode, and once Redis
/// is back the durable limits resume where they were. Stops the shared fixture's Redis, so it restarts it
/// and waits for it to be healthy whatever happens.
/// </summary>
[Collection(PlatformCollection.Name)]
public sealed class RedisOutageTests(PlatformFixture platform)
{
    [Fact]
    public async Task Without_redis_requests_are_answered_in_the_configured_failure_mode_and_durable_limits_resume_after()
    {
        // A workspace budget of 5 with a tighter one of 3 per credential.
        var workspaceId = await RateLimiterAdmin.NewWorkspaceAsync(platform, new LimitDto(5, 3600, 5), perCredential: new LimitDto(3, 3600, 3));
        var bearer = AgentSurfaceHost.Bearer(workspaceId, "key_1");
        var otherBearer = AgentSurfaceHost.Bearer(workspaceId, "key_2");
        await using var fallback = await AgentSurfaceHost.StartAsync(platform);
        await using var open = await AgentSurfaceHost.StartAsync(platform, new Dictionary<string, string?> { ["RateLimits:FailureMode"] = "Open" });
        await using var closed = await AgentSurfaceHost.StartAsync(platform, new Dictionary<string, string?> { ["RateLimits:FailureMode"] = "Closed" });

        // Two durable decisions before the outage; the fallback host learns the workspace's limits from them.
        Assert.Equal(HttpStatusCode.OK, (await fallback.GetAsync(bearer)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await fallback.GetAsync(bearer)).StatusCode);

        try
        {
            await StopRedisAsync(platform);

            // FallbackToLocal: the budgets go on in memory from where the RateLimiter last left them: key_1 had
            // spent 2 of its 3 (then the credential layer refuses), and key_2 gets the workspace's last 2 (5 - 3).
            Assert.Equal((1, "credential"), await SendUntilRefusedAsync(fallback, bearer));
            Assert.Equal((2, "workspace"), await SendUntilRefusedAsync(fallback, otherBearer));

            // Open: everything passes. Closed: 503 with Retry-After, never a 500.
            for (var i = 0; i < 10; i++)
            {
                Assert.Equal(HttpStatusCode.OK, (await open.GetAsync(bearer)).StatusCode);
            }

            using var paused = await closed.GetAsync(bearer);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, paused.StatusCode);
            Assert.NotNull(paused.Headers.RetryAfter);
            Assert.Equal(ProblemTypes.ServiceUnavailable, (await WorkspaceLimitTests.ReadProblemAsync(paused)).GetProperty("type").GetString());

            // The RateLimiter's own read-out says it is unavailable rather than failing.
            using var admin = await platform.CreateServiceClientAsync("ratelimiter");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, (await admin.GetAsync($"/internal/workspaces/{workspaceId}/usage")).StatusCode);
        }
        finally
        {
            await StartRedisAsync(platform);
        }

        // Durable limits resume: the two decisions made before the outage still count (workspace 5 - 2 - this one = 2,
        // credential 3 - 2 - this one = 0).
        var limiter = fallback.Services.GetRequiredService<IWorkspaceRateLimiter>();
        WorkspaceRateLimitDecision? resumed = null;
        await Eventually.SucceedsAsync(async () =>
        {
            resumed = await limiter.CheckAsync(workspaceId, "key_1");
            Assert.Equal(RateLimitDecisionSource.RateLimiter, resumed.Source);
        }, TimeSpan.FromSeconds(90));
        Assert.True(resumed!.IsAllowed);
        Assert.Equal(2, resumed.Quotas.Single(q => q.Policy == RateLimitPolicies.Workspace).Remaining);
        Assert.Equal(0, resumed.Quotas.Single(q => q.Policy == RateLimitPolicies.Credential).Remaining);
    }

    /// <summary>Sends until the first 429 (at most 10 requests): how many were allowed, and the refusing layer.</summary>
    private static async Task<(int Allowed, string? Layer)> SendUntilRefusedAsync(AgentSurfaceHost host, string bearer)
    {
        for (var allowed = 0; allowed < 10; allowed++)
        {
            using var response = await host.GetAsync(bearer);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                Assert.NotNull(response.Headers.RetryAfter);
                return (allowed, (await WorkspaceLimitTests.ReadProblemAsync(response)).GetProperty("layer").GetString());
            }

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        return (10, null);
    }

    /// <summary>Stops the fixture's Redis (its process ends) and waits until the resource says so.</summary>
    internal static async Task StopRedisAsync(PlatformFixture platform)
    {
        using var cts = new CancellationTokenSource(PlatformFixture.StartTimeout);
        var result = await platform.App.ResourceCommands.ExecuteCommandAsync("redis", KnownResourceCommands.StopCommand, cts.Token);
        Assert.True(result.Success, $"Stopping redis failed: {result.Message}");
        await platform.App.ResourceNotifications.WaitForResourceAsync("redis",
            e => e.Snapshot.State?.Text is { } state && KnownResourceStates.TerminalStates.Contains(state), cts.Token);
    }

    internal static async Task StartRedisAsync(PlatformFixture platform)
    {
        using var cts = new CancellationTokenSource(PlatformFixture.StartTimeout);
        var result = await platform.App.ResourceCommands.ExecuteCommandAsync("redis", KnownResourceCommands.StartCommand, cts.Token);
        Assert.True(result.Success, $"Starting redis failed: {result.Message}");
        await platform.App.ResourceNotifications.WaitForResourceAsync("redis",
            e => e.Snapshot.State?.Text == KnownResourceStates.Running && e.Snapshot.HealthStatus == HealthStatus.Healthy, cts.Token);
    }
}
