using System.Threading.RateLimiting;
using AlyAspire.Shared.Http;
using Microsoft.AspNetCore.RateLimiting;

namespace AlyAspire.AuthServer.Throttling;

/// <summary>How a rate-limiter refusal says when to come back (<see cref="RetryAfterHeader"/>).</summary>
internal static class RetryAfter
{
    /// <summary>Sets the header from the refused lease (a minute when it names no wait) and returns the wait.</summary>
    public static TimeSpan Set(OnRejectedContext context)
    {
        var wait = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : TimeSpan.FromMinutes(1);
        RetryAfterHeader.Set(context.HttpContext.Response, wait);
        return wait;
    }
}
