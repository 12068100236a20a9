using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;

namespace AlyAspire.AuthServer.Throttling;

/// <summary>How a refusal says when to come back: <c>Retry-After</c> in whole seconds, at least one.</summary>
internal static class RetryAfter
{
    /// <summary>Sets the header from the refused lease (a minute when it names no wait) and returns the wait.</summary>
    public static TimeSpan Set(OnRejectedContext context)
    {
        var wait = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : TimeSpan.FromMinutes(1);
        Set(context.HttpContext.Response, wait);
        return wait;
    }

    public static void Set(HttpResponse response, TimeSpan wait) =>
        response.Headers.RetryAfter = Math.Max(1, (long)Math.Ceiling(wait.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
}
