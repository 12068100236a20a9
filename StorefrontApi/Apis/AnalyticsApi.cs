using AlyAspire.Shared.Scopes;
using AlyAspire.StorefrontApi.Application;
using AlyAspire.AgentGate;
using Microsoft.AspNetCore.Http.HttpResults;

namespace AlyAspire.StorefrontApi.Apis;

public static class AnalyticsApi
{
    public static RouteGroupBuilder MapAnalyticsApi(this RouteGroupBuilder merchant)
    {
        var analytics = merchant.MapGroup("").WithTags("Analytics");
        analytics.MapGet("/analytics/summary", Summary).RequireScope(ScopeCatalogue.ReadAnalytics).WithSummary("Traffic and sales over the last N days");
        analytics.MapGet("/activity", Activity).RequireScope(ScopeCatalogue.ReadAnalytics).WithSummary("The workspace's activity feed, newest first");
        return merchant;
    }

    public static async Task<Results<Ok<AnalyticsSummary>, ProblemHttpResult>> Summary(AnalyticsService analytics, CancellationToken ct, int days = 30) =>
        (await analytics.SummaryAsync(days, ct)).ToOk();

    public static async Task<Results<Ok<IReadOnlyList<ActivityView>>, ProblemHttpResult>> Activity(
        AnalyticsService analytics, CancellationToken ct, int limit = 50, DateTimeOffset? before = null) =>
        (await analytics.ActivityAsync(limit, before, ct)).ToOk();
}
