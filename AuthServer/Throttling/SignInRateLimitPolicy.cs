using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace AlyAspire.AuthServer.Throttling;

/// <summary>
/// Sign-in and sign-up form posts: a fixed window per client address (IPv6 by /64), so passwords cannot be tried
/// at full speed from one place (the per-e-mail limit, <see cref="FailedSignInLimiter"/>, covers guessing from many,
/// and holds across instances). Pages themselves (GET) are not limited. A refusal is a small page in the
/// dashboard's style (<see cref="ThrottledPage"/>), not an error. Counted per instance: the per-e-mail limit is the
/// one an attacker spreading over instances would have to beat.
/// </summary>
internal sealed class SignInRateLimitPolicy(IOptions<ThrottlingOptions> options) : IRateLimiterPolicy<string>
{
    public const string Name = "sign-in";

    public Func<OnRejectedContext, CancellationToken, ValueTask>? OnRejected { get; } = async (context, ct) =>
    {
        var wait = RetryAfter.Set(context);
        await ThrottledPage.WriteAsync(context.HttpContext, SignInRefusal.Message(wait), ct);
    };

    public RateLimitPartition<string> GetPartition(HttpContext httpContext) => HttpMethods.IsPost(httpContext.Request.Method)
        ? RateLimitPartition.GetFixedWindowLimiter(
            ClientAddress.Of(httpContext),
            _ => new FixedWindowRateLimiterOptions { PermitLimit = options.Value.SignInPostsPerMinute, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 })
        : RateLimitPartition.GetNoLimiter(string.Empty);
}
