using Microsoft.Extensions.Options;

namespace AlyAspire.RateLimiter.Limits;

/// <summary>
/// Default limits per plan (<c>RateLimits:Plans:&lt;plan&gt;</c>). A workspace gets <see cref="DefaultPlan"/>
/// unless its override (limitsdb) names another plan or sets its own numbers.
/// </summary>
public sealed class RateLimitOptions
{
    public const string SectionName = "RateLimits";

    public string DefaultPlan { get; set; } = "free";

    public Dictionary<string, PlanLimitSettings> Plans { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>How long a workspace's resolved limits are cached; edits through the admin API invalidate at once.</summary>
    public TimeSpan PolicyCacheDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Units every budget must still hold for each unit it leases to a caller: 1,000 means a lease takes at most a
    /// thousandth of what remains, so only large budgets lease at all and one running low is decided request by
    /// request (exactly, across any number of instances).
    /// </summary>
    public int LeaseReservePerUnit { get; set; } = 1_000;
}

/// <summary>One budget: a sustained rate (<see cref="RequestsPerWindow"/> per <see cref="Window"/>) and a burst.</summary>
public class LimitSettings
{
    public int RequestsPerWindow { get; set; }

    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Requests that may arrive back-to-back from idle.</summary>
    public int Burst { get; set; }

    public Limit ToLimit() => new(RequestsPerWindow, (int)Window.TotalSeconds, Burst);
}

public sealed class PlanLimitSettings : LimitSettings
{
    /// <summary>An optional, tighter budget for each credential of the workspace.</summary>
    public LimitSettings? PerCredential { get; set; }
}

internal sealed class RateLimitOptionsValidator : IValidateOptions<RateLimitOptions>
{
    public ValidateOptionsResult Validate(string? name, RateLimitOptions options)
    {
        var failures = new List<string>();
        if (!options.Plans.ContainsKey(options.DefaultPlan))
        {
            failures.Add($"{RateLimitOptions.SectionName}:DefaultPlan '{options.DefaultPlan}' is not one of {RateLimitOptions.SectionName}:Plans.");
        }

        foreach (var (plan, settings) in options.Plans)
        {
            Check($"{RateLimitOptions.SectionName}:Plans:{plan}", settings, failures);
            if (settings.PerCredential is { } perCredential)
            {
                Check($"{RateLimitOptions.SectionName}:Plans:{plan}:PerCredential", perCredential, failures);
            }
        }

        if (options.PolicyCacheDuration < TimeSpan.Zero)
        {
            failures.Add($"{RateLimitOptions.SectionName}:PolicyCacheDuration must not be negative.");
        }

        if (options.LeaseReservePerUnit < 1)
        {
            failures.Add($"{RateLimitOptions.SectionName}:LeaseReservePerUnit must be at least 1.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void Check(string path, LimitSettings settings, List<string> failures)
    {
        if (Limit.Validate(settings.RequestsPerWindow, settings.Window.TotalSeconds, settings.Burst) is { } problem)
        {
            failures.Add($"{path}: {problem}");
        }
    }
}
