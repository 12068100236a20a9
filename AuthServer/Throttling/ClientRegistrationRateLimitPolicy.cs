using System.Threading.RateLimiting;
using AlyAspire.AuthServer.OAuth;
using AlyAspire.Shared.Errors;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace AlyAspire.AuthServer.Throttling;

/// <summary>Dynamic client registration: a fixed window per client address; refusals in the endpoint's JSON error form.</summary>
internal sealed class ClientRegistrationRateLimitPolicy(IOptions<OAuthServerOptions> options) : IRateLimiterPolicy<string>
{
    public Func<OnRejectedContext, CancellationToken, ValueTask>? OnRejected { get; } = async (context, ct) =>
    {
        RetryAfter.Set(context);
        await context.HttpContext.Response.WriteAsJsonAsync(new
        {
            error = OAuthErrorCodes.TemporarilyUnavailable,
            error_description = "Too many client registrations from this address; try again in a minute.",
        }, ct);
    };

    public RateLimitPartition<string> GetPartition(HttpContext httpContext) => RateLimitPartition.GetFixedWindowLimiter(
        ClientAddress.Of(httpContext),
        _ => new FixedWindowRateLimiterOptions { PermitLimit = options.Value.RegistrationPermitsPerMinute, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 });
}
