namespace AlyAspire.KeyService.Services;

/// <summary>
/// PostgreSQL keeps timestamps to the microsecond; times are cut to that precision before they are stored, so what
/// a create or roll returns is exactly what later reads return.
/// </summary>
public static class StoredTime
{
    private const long TicksPerMicrosecond = TimeSpan.TicksPerMillisecond / 1000;

    public static DateTimeOffset ToStoredPrecision(this DateTimeOffset value)
    {
        var utc = value.ToUniversalTime();
        return utc.AddTicks(-(utc.Ticks % TicksPerMicrosecond));
    }

    public static DateTimeOffset GetStoredUtcNow(this TimeProvider time) => time.GetUtcNow().ToStoredPrecision();
}
