using System.Globalization;
using AlyAspire.Shared.Usage;

namespace AlyAspire.AuthServer.Usage;

/// <summary>
/// A bar chart of requests per UTC day, allowed and refused stacked, drawn as SVG on the server (the dashboard runs no
/// script). Every day of the range has a bar, days without requests an empty one.
/// </summary>
public sealed class UsageChart
{
    public const double Width = 640;
    public const double PlotTop = 18;
    public const double PlotHeight = 120;
    public const double PlotBottom = PlotTop + PlotHeight;
    public const double Height = PlotBottom + 22;
    private const double Gap = 3;

    private UsageChart(string name, string label, IReadOnlyList<Bar> bars, long max)
    {
        Name = name;
        Label = label;
        Bars = bars;
        Max = max;
    }

    /// <summary>Names the chart in the page (<c>data-chart</c>), e.g. for tests and styling.</summary>
    public string Name { get; }

    public string Label { get; }

    public IReadOnlyList<Bar> Bars { get; }

    /// <summary>The tallest day's total (the axis' top), at least 1.</summary>
    public long Max { get; }

    public long Allowed => Bars.Sum(b => b.Allowed);

    public long Refused => Bars.Sum(b => b.Refused);

    public Bar Today => Bars[^1];

    public static UsageChart For(string name, string label, IEnumerable<DailyUsage> usage, DateOnly today, int days = UsageRoutes.ChartDays)
    {
        var byDay = usage.GroupBy(u => u.Day).ToDictionary(g => g.Key, g => (Allowed: g.Sum(u => u.Allowed), Refused: g.Sum(u => u.Refused)));
        var from = today.AddDays(-(days - 1));
        var max = Math.Max(1, byDay.Where(d => d.Key >= from).Select(d => d.Value.Allowed + d.Value.Refused).DefaultIfEmpty(0).Max());
        var slot = Width / days;
        var bars = new List<Bar>(days);
        for (var i = 0; i < days; i++)
        {
            var day = from.AddDays(i);
            var (allowed, refused) = byDay.GetValueOrDefault(day);
            var allowedHeight = PlotHeight * allowed / max;
            var refusedHeight = PlotHeight * refused / max;
            bars.Add(new Bar(day, allowed, refused, i * slot + Gap / 2, slot - Gap,
                PlotBottom - allowedHeight, allowedHeight, PlotBottom - allowedHeight - refusedHeight, refusedHeight));
        }

        return new UsageChart(name, label, bars, max);
    }

    public static UsageChart For(string name, string label, IEnumerable<Shared.ApiKeys.ApiKeyDailyUsage> usage, DateOnly today) =>
        For(name, label, usage.Select(u => new DailyUsage(u.Day, u.Requests, u.Refused, 0, 0, 0)), today);

    /// <summary>An SVG coordinate: invariant, two decimals at most.</summary>
    public static string Coordinate(double value) => value.ToString("0.##", CultureInfo.InvariantCulture);

    public sealed record Bar(DateOnly Day, long Allowed, long Refused, double X, double BarWidth,
        double AllowedY, double AllowedHeight, double RefusedY, double RefusedHeight)
    {
        public string Date => Day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
    }
}
