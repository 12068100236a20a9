using AlyAspire.StorefrontApi.Domain;
using AlyAspire.StorefrontApi.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace AlyAspire.StorefrontApi.Application;

public sealed record AnalyticsSummary(
    int Days, DateOnly From, DateOnly To, int Visitors, int PageViews, int Orders, decimal Revenue, decimal Refunded,
    decimal AverageOrderValue, double ConversionRate, IReadOnlyDictionary<string, int> OrdersByState);

public sealed record ActivityView(Guid Id, DateTimeOffset OccurredAt, string Actor, string Kind, string Summary, string? SubjectId);

/// <summary>Store analytics (traffic, sales) and the activity feed. Used by REST and MCP.</summary>
public sealed class AnalyticsService(StoreDbContext db, TimeProvider time)
{
    public async Task<StoreResult<AnalyticsSummary>> SummaryAsync(int days, CancellationToken ct)
    {
        if (days is < 1 or > 365)
        {
            return StoreError.Invalid("days", "days must be between 1 and 365.");
        }

        var now = time.GetUtcNow();
        var to = DateOnly.FromDateTime(now.UtcDateTime);
        var from = to.AddDays(-days);
        var since = now.AddDays(-days);

        var traffic = await db.TrafficDays.AsNoTracking().Where(d => d.Day >= from && d.Day < to)
            .GroupBy(_ => 1).Select(g => new { Visitors = g.Sum(d => d.Visitors), PageViews = g.Sum(d => d.PageViews) }).FirstOrDefaultAsync(ct);
        var byState = await db.Orders.AsNoTracking().Where(o => o.CreatedAt >= since)
            .GroupBy(o => o.State).Select(g => new { State = g.Key, Count = g.Count(), Total = g.Sum(o => o.Total), Refunded = g.Sum(o => o.RefundedAmount) })
            .ToListAsync(ct);

        var sold = byState.Where(s => s.State is OrderState.Paid or OrderState.Fulfilled or OrderState.Refunded).ToList();
        var orders = sold.Sum(s => s.Count);
        var revenue = sold.Sum(s => s.Total);
        var refunded = sold.Sum(s => s.Refunded);
        var visitors = traffic?.Visitors ?? 0;
        return new AnalyticsSummary(
            days, from, to, visitors, traffic?.PageViews ?? 0, orders, revenue, refunded,
            orders == 0 ? 0 : decimal.Round(revenue / orders, 2),
            visitors == 0 ? 0 : Math.Round((double)orders / visitors, 4),
            OrderState.All.ToDictionary(s => s, s => byState.FirstOrDefault(b => b.State == s)?.Count ?? 0));
    }

    public async Task<StoreResult<IReadOnlyList<ActivityView>>> ActivityAsync(int limit, DateTimeOffset? before, CancellationToken ct)
    {
        if (limit is < 1 or > 200)
        {
            return StoreError.Invalid("limit", "limit must be between 1 and 200.");
        }

        var events = db.ActivityEvents.AsNoTracking();
        if (before is { } cursor)
        {
            events = events.Where(e => e.OccurredAt < cursor);
        }

        var items = await events.OrderByDescending(e => e.OccurredAt).Take(limit)
            .Select(e => new ActivityView(e.Id, e.OccurredAt, e.Actor, e.Kind, e.Summary, e.SubjectId)).ToListAsync(ct);
        return new StoreResult<IReadOnlyList<ActivityView>>(items, null);
    }
}
