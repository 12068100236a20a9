using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace AlyAspire.Shared.Http;

/// <summary>
/// <c>Retry-After</c> as every refusal on the platform writes it: whole seconds (RFC 9110 delay-seconds), rounded up
/// and at least one, so a client never reads "retry now" from a refusal.
/// </summary>
public static class RetryAfterHeader
{
    public static void Set(HttpResponse response, TimeSpan wait) =>
        response.Headers.RetryAfter = Math.Max(1, (long)Math.Ceiling(wait.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
}
