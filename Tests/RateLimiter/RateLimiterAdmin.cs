using System.Net.Http.Json;
using AlyAspire.RateLimiter.Protos;
using AlyAspire.Shared.Internal;
using AlyAspire.Tests.Infrastructure;
using Grpc.Core;
using Grpc.Net.Client;

namespace AlyAspire.Tests.RateLimiter;

// The RateLimiter's internal admin contract, as a client sees it on the wire.
public sealed record LimitDto(int RequestsPerWindow, int WindowSeconds, int Burst);

public sealed record WorkspaceLimitOverrideRequest(string? Plan, LimitDto? Workspace, LimitDto? PerCredential);

public sealed record WorkspaceLimitsResponse(string WorkspaceId, string Plan, LimitDto Workspace, LimitDto? PerCredential, WorkspaceLimitOverrideRequest? Override);

public sealed record BucketUsage(string Policy, LimitDto Limit, long Used, long Remaining, double SecondsUntilFull);

public sealed record WorkspaceUsageResponse(string WorkspaceId, string Plan, BucketUsage Workspace, BucketUsage? Credential);

/// <summary>The RateLimiter's internal endpoints, called with the platform's service credential.</summary>
public static class RateLimiterAdmin
{
    /// <summary>A fresh workspace with its own budget (and a per-credential budget, by default as large).</summary>
    public static async Task<string> NewWorkspaceAsync(PlatformFixture platform, LimitDto workspace, LimitDto? perCredential = null)
    {
        var workspaceId = "ws_" + Guid.NewGuid().ToString("N")[..16];
        await SetLimitsAsync(platform, workspaceId, workspace, perCredential ?? workspace);
        return workspaceId;
    }

    /// <summary>Overrides a workspace's budgets, as an operator would.</summary>
    public static async Task SetLimitsAsync(PlatformFixture platform, string workspaceId, LimitDto workspace, LimitDto? perCredential)
    {
        using var admin = await platform.CreateServiceClientAsync("ratelimiter");
        using var response = await admin.PutAsJsonAsync($"/internal/workspaces/{workspaceId}/limits",
            new WorkspaceLimitOverrideRequest(null, workspace, perCredential));
        Assert.True(response.IsSuccessStatusCode, $"Setting the limits of {workspaceId}: {response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    /// <summary>
    /// Waits until the RateLimiter decides from Redis, several decisions in a row: a test counting an exact budget
    /// measures the durable limit, and an earlier test's load or outage can leave the RateLimiter's Redis breaker
    /// open for a while, when every decision falls back to the agent surfaces' own, per-instance limits.
    /// </summary>
    public static async Task WaitUntilDecidingAsync(PlatformFixture platform)
    {
        using var channel = GrpcChannel.ForAddress(platform.App.GetEndpoint("ratelimiter", "grpc"));
        var client = new RateLimitDecisions.RateLimitDecisionsClient(channel);
        var headers = await DecisionCallerHeadersAsync(platform);
        var probe = new CheckRequest { WorkspaceId = "ws_probe_" + Guid.NewGuid().ToString("N")[..12], Cost = 1 };
        await Eventually.SucceedsAsync(async () =>
        {
            for (var i = 0; i < 5; i++)
            {
                Assert.True((await client.CheckAsync(probe, headers, DateTime.UtcNow.AddSeconds(1))).Allowed);
            }
        }, TimeSpan.FromSeconds(30));
    }

    /// <summary>The metadata a decision caller (the StorefrontApi) sends: its service credential for the RateLimiter.</summary>
    public static async Task<Metadata> DecisionCallerHeadersAsync(PlatformFixture platform) =>
        new() { { InternalServiceAuthentication.HeaderName, await platform.ServiceSecretAsync(PlatformServices.StorefrontApi, PlatformServices.RateLimiter) } };
}
