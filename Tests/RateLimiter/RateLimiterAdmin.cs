using System.Net.Http.Json;
using AlyAspire.Tests.Infrastructure;

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
}
