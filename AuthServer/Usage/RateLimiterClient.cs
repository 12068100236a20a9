using System.Net.Http.Json;

namespace AlyAspire.AuthServer.Usage;

// The RateLimiter's internal read-outs (its WorkspaceLimitContracts), as the dashboard reads them.

public sealed record LimitView(int RequestsPerWindow, int WindowSeconds, int Burst);

public sealed record LimitOverrideView(string? Plan, LimitView? Workspace, LimitView? PerCredential);

/// <summary>The budgets in force for a workspace and the override (if any) they come from.</summary>
public sealed record WorkspaceLimitsView(string WorkspaceId, string Plan, LimitView Workspace, LimitView? PerCredential, LimitOverrideView? Override);

public sealed record BucketView(string Policy, LimitView Limit, long Used, long Remaining, double SecondsUntilFull);

/// <summary>A workspace budget's current consumption.</summary>
public sealed record WorkspaceConsumptionView(string WorkspaceId, string Plan, BucketView Workspace, BucketView? Credential);

/// <summary>The RateLimiter's internal API (<c>http://ratelimiter</c>, service credential) for the workspace usage page.</summary>
public sealed class RateLimiterClient(HttpClient http)
{
    /// <exception cref="HttpRequestException">The RateLimiter could not be reached or could not answer.</exception>
    public async Task<WorkspaceLimitsView> GetLimitsAsync(Guid workspaceId, CancellationToken ct) =>
        (await http.GetFromJsonAsync<WorkspaceLimitsView>($"/internal/workspaces/{workspaceId}/limits", ct))!;

    /// <exception cref="HttpRequestException">The RateLimiter could not be reached or could not answer.</exception>
    public async Task<WorkspaceConsumptionView> GetConsumptionAsync(Guid workspaceId, CancellationToken ct) =>
        (await http.GetFromJsonAsync<WorkspaceConsumptionView>($"/internal/workspaces/{workspaceId}/usage", ct))!;
}
