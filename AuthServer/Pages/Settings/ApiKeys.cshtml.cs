using AlyAspire.AuthServer.Keys;
using AlyAspire.Shared.ApiKeys;
using AlyAspire.Shared.Scopes;
using AlyAspire.AuthServer.Usage;
using Microsoft.AspNetCore.Mvc;

namespace AlyAspire.AuthServer.Pages.Settings;

/// <summary>The workspace's API keys, managed through the KeyService on behalf of the signed-in person.</summary>
public sealed class ApiKeysModel(ApiKeyClient keys, DashboardActors actors, TimeProvider time) : DashboardPageModel
{
    public IReadOnlyList<ApiKeySummary> Keys { get; private set; } = [];

    public string? Secret { get; private set; }

    public string? SecretKeyName { get; private set; }

    public string? Error { get; private set; }

    public DateOnly Today => DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);

    /// <summary>Every key's requests added up per day.</summary>
    public UsageChart Chart => UsageChart.For("workspace-keys", "Requests with this workspace's API keys", Keys.SelectMany(k => k.Usage), Today);

    public bool CanManage => HasScope(ScopeCatalogue.ManageApiKeys);

    public async Task OnGetAsync(CancellationToken ct) => await LoadAsync(ct);

    public async Task<IActionResult> OnPostCreateAsync(string? name, string[]? scopes, DateOnly? expiresOn, string? platformProfile, CancellationToken ct)
    {
        if (!CanManage)
        {
            return Forbid();
        }

        var expiresAt = expiresOn is { } day ? new DateTimeOffset(day.ToDateTime(TimeOnly.MaxValue), TimeSpan.Zero) : (DateTimeOffset?)null;
        return await RunAsync(async () =>
        {
            var created = await keys.CreateAsync(WorkspaceId, new CreateApiKeyRequest(name?.Trim() ?? string.Empty, scopes ?? [], expiresAt,
                string.IsNullOrWhiteSpace(platformProfile) ? null : platformProfile.Trim()), await ActorAsync(ct), ct);
            (Secret, SecretKeyName) = (created.Secret, created.Key.Name);
        }, ct);
    }

    public async Task<IActionResult> OnPostRevokeAsync(Guid keyId, CancellationToken ct) =>
        CanManage ? await RunAsync(async () => await keys.RevokeAsync(WorkspaceId, keyId, await ActorAsync(ct), ct), ct) : Forbid();

    public async Task<IActionResult> OnPostRollAsync(Guid keyId, int? graceHours, CancellationToken ct)
    {
        if (!CanManage)
        {
            return Forbid();
        }

        return await RunAsync(async () =>
        {
            var rolled = await keys.RollAsync(WorkspaceId, keyId, new RollApiKeyRequest(graceHours), await ActorAsync(ct), ct);
            (Secret, SecretKeyName) = (rolled.Secret, rolled.Key.Name);
        }, ct);
    }

    /// <summary>The person as the KeyService verifies them (their current role, signed by this server).</summary>
    private Task<ApiKeyActor> ActorAsync(CancellationToken ct) => actors.RequireAsync(UserId, WorkspaceId, HttpContext, ct);

    private async Task<IActionResult> RunAsync(Func<Task> action, CancellationToken ct)
    {
        try
        {
            await action();
        }
        catch (ApiKeyServiceException ex)
        {
            // The KeyService's problem detail is written for people: show it, keep the status.
            Error = ex.Problem is ValidationProblemDetails { Errors.Count: > 0 } invalid
                ? string.Join(" ", invalid.Errors.SelectMany(e => e.Value))
                : ex.Problem.Detail ?? ex.Problem.Title;
            Response.StatusCode = (int)ex.Status;
        }

        if (Secret is not null)
        {
            Response.Headers.CacheControl = "no-store";
        }

        await LoadAsync(ct);
        return Page();
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        try
        {
            Keys = await keys.ListAsync(WorkspaceId, await ActorAsync(ct), ct);
        }
        catch (Exception ex) when (ex is ApiKeyServiceException or HttpRequestException)
        {
            Error ??= "The key service is not available right now; try again shortly.";
        }
    }
}
