using System.Net.Http.Json;
using AlyAspire.Shared.Internal;
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
    public static async Task<HttpClient> CreateClientAsync(PlatformFixture platform)
    {
        var client = platform.CreateClient("ratelimiter");
        client.DefaultRequestHeaders.Add(InternalServiceAuthentication.HeaderName, await platform.GetSecretAsync("internal-service-key"));
        return client;
    }

    /// <summary>A fresh workspace with its own budget (and a per-credential budget, by default as large).</summary>
    public static async Task<string> NewWorkspaceAsync(PlatformFixture platform, LimitDto workspace, LimitDto? perCredential = null)
    {
        var workspaceId = "ws_" + Guid.NewGuid().ToString("N")[..16];
        using var admin = await CreateClientAsync(platform);
        var response = await admin.PutAsJsonAsync($"/internal/workspaces/{workspaceId}/limits",
            new WorkspaceLimitOverrideRequest(null, workspace, perCredential ?? workspace));
        response.EnsureSuccessStatusCode();
        return workspaceId;
    }
}
