using AlyAspire.AuthServer.Keys;
using AlyAspire.AuthServer.Usage;
using AlyAspire.Shared.ApiKeys;
using Microsoft.AspNetCore.Mvc;

namespace AlyAspire.AuthServer.Pages.Settings;

/// <summary>One API key of the workspace: what it is and its requests per day.</summary>
public sealed class ApiKeyModel(ApiKeyClient keys, DashboardActors actors, TimeProvider time) : DashboardPageModel
{
    public ApiKeySummary? Key { get; private set; }

    public string? Error { get; private set; }

    public UsageChart Chart => UsageChart.For("key-usage", $"Requests with {Key?.Name}", Key?.Usage ?? [], DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime));

    public async Task<IActionResult> OnGetAsync(Guid keyId, CancellationToken ct)
    {
        try
        {
            Key = await keys.GetAsync(WorkspaceId, keyId, await actors.RequireAsync(UserId, WorkspaceId, HttpContext, ct), ct);
        }
        catch (ApiKeyServiceException ex) when (ex.Status == System.Net.HttpStatusCode.NotFound)
        {
            Error = "This workspace has no such key.";
            Response.StatusCode = StatusCodes.Status404NotFound;
        }
        catch (Exception ex) when (ex is ApiKeyServiceException or HttpRequestException)
        {
            Error = "The key service is not available right now; try again shortly.";
            Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        }

        return Page();
    }
}
