using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;

namespace AlyAspire.AuthServer.Throttling;

/// <summary>The client's address as the per-address limits see it, and how their refusals say when to come back.</summary>
internal static class ClientAddress
{
    /// <summary>The connection's address, or the forwarded one when a trusted proxy sent it (forwarded headers middleware).</summary>
    public static string Of(HttpContext context) => context.Connection.RemoteIpAddress?.ToString() ?? "unknown";

    /// <summary>Sets <c>Retry-After</c> from the refused lease (a whole window when it names none) and returns the wait.</summary>
    public static TimeSpan SetRetryAfter(OnRejectedContext context, TimeSpan? fallback = null)
    {
        var wait = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : fallback ?? TimeSpan.FromMinutes(1);
        SetRetryAfter(context.HttpContext.Response, wait);
        return wait;
    }

    public static void SetRetryAfter(HttpResponse response, TimeSpan wait) =>
        response.Headers.RetryAfter = Math.Max(1, (long)Math.Ceiling(wait.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
}
