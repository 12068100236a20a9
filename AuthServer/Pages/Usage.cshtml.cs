using AlyAspire.AuthServer.Keys;
using AlyAspire.AuthServer.Usage;
using AlyAspire.Shared.ApiKeys;
using AlyAspire.Shared.Usage;

namespace AlyAspire.AuthServer.Pages;

/// <summary>
/// The workspace's usage: the rate-limit budget in force and its consumption (from the RateLimiter), its requests per
/// day and credential and its recent 429s by layer (from the usage store, which counts every refusal the agent surfaces
/// answered, including those decided from a local lease the RateLimiter never saw).
/// </summary>
public sealed class UsageModel(UsageClient usage, RateLimiterClient rateLimiter, ApiKeyClient keys, DashboardActors actors, ILogger<UsageModel> logger) : DashboardPageModel
{
    private const int RecentDayCount = 7;

    public WorkspaceLimitsView? Limits { get; private set; }

    public WorkspaceConsumptionView? Consumption { get; private set; }

    public WorkspaceUsageReport? Report { get; private set; }

    /// <summary>API keys' names by id, so the credential table names keys as people know them.</summary>
    public IReadOnlyDictionary<string, string> KeyNames { get; private set; } = new Dictionary<string, string>();

    public UsageChart Chart => UsageChart.For("workspace-usage", "Requests of this workspace", Report?.Totals() ?? [], Report!.To);

    /// <summary>The last seven days, today last, with zeros for days without refusals.</summary>
    public IReadOnlyList<DailyUsage> RecentDays
    {
        get
        {
            var totals = (Report?.Totals() ?? []).ToDictionary(d => d.Day);
            return Enumerable.Range(0, RecentDayCount)
                .Select(i => Report!.To.AddDays(-i))
                .Select(day => totals.GetValueOrDefault(day) ?? new DailyUsage(day, 0, 0, 0, 0, 0))
                .ToList();
        }
    }

    public async Task OnGetAsync(CancellationToken ct)
    {
        var limits = Attempt(() => rateLimiter.GetLimitsAsync(WorkspaceId, ct));
        var consumption = Attempt(() => rateLimiter.GetConsumptionAsync(WorkspaceId, ct));
        var report = Attempt(() => usage.GetAsync(WorkspaceId, UsageRoutes.ChartDays, ct: ct));
        var names = Attempt(async () => (await keys.ListAsync(WorkspaceId, await actors.RequireAsync(UserId, WorkspaceId, HttpContext, ct), ct)).ToDictionary(k => k.Id.ToString(), k => k.Name));
        Limits = await limits;
        Consumption = await consumption;
        Report = await report;
        KeyNames = await names ?? new Dictionary<string, string>();
    }

    // A part that cannot be read is shown as unavailable; the rest of the page still renders.
    private async Task<T?> Attempt<T>(Func<Task<T>> read) where T : class
    {
        try
        {
            return await read();
        }
        catch (Exception ex) when (ex is HttpRequestException or ApiKeyServiceException or System.Text.Json.JsonException)
        {
            logger.LogWarning(ex, "A part of the usage page could not be read");
            return null;
        }
    }
}
