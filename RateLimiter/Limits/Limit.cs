namespace AlyAspire.RateLimiter.Limits;

/// <summary>
/// One budget as the decision script sees it: <see cref="RequestsPerWindow"/> per <see cref="WindowSeconds"/>
/// sustained, up to <see cref="Burst"/> back-to-back.
/// </summary>
public sealed record Limit(int RequestsPerWindow, int WindowSeconds, int Burst)
{
    public const int MaxRequestsPerWindow = 10_000_000;
    public const int MaxWindowSeconds = 86_400;

    /// <summary>
    /// GCRA's emission interval: the time one request "occupies" in the budget. Whole microseconds, so the
    /// script's arithmetic stays exact in Lua's doubles (the rounding shifts a rate by under a millionth).
    /// </summary>
    public long EmissionIntervalMicroseconds => Math.Max(1, (long)Math.Round(WindowSeconds * 1_000_000d / RequestsPerWindow));

    /// <summary>Null when the numbers make a usable budget, otherwise why not.</summary>
    public static string? Validate(int requestsPerWindow, double windowSeconds, int burst)
    {
        if (requestsPerWindow is < 1 or > MaxRequestsPerWindow)
        {
            return $"requests per window must be between 1 and {MaxRequestsPerWindow}.";
        }

        if (windowSeconds < 1 || windowSeconds > MaxWindowSeconds || windowSeconds != Math.Floor(windowSeconds))
        {
            return $"the window must be a whole number of seconds between 1 and {MaxWindowSeconds}.";
        }

        if (burst is < 1 or > MaxRequestsPerWindow)
        {
            return $"the burst must be between 1 and {MaxRequestsPerWindow}.";
        }

        return null;
    }
}

/// <summary>The limits in force for one workspace.</summary>
public sealed record WorkspaceLimits(string WorkspaceId, string Plan, Limit Workspace, Limit? PerCredential);
