using System.Threading.RateLimiting;
using AlyAspire.AuthServer.Infrastructure;
using Microsoft.Extensions.Options;

namespace AlyAspire.AuthServer.Throttling;

/// <summary>
/// Failed sign-ins per e-mail, whatever the address they come from: once an e-mail has used up
/// <see cref="ThrottlingOptions.FailedSignInsPerEmail"/> in its window, every sign-in with it is refused, the
/// right password included, until the window ends. E-mails with no account are counted the same way, so a
/// refusal says nothing about whether an account exists. Kept in memory: the AuthServer runs as one instance.
/// </summary>
public sealed class FailedSignInLimiter : IDisposable
{
    private readonly PartitionedRateLimiter<string> _failures;
    private readonly TimeSpan _window;

    public FailedSignInLimiter(IOptions<ThrottlingOptions> options)
    {
        var limits = options.Value;
        _window = limits.FailedSignInWindow;
        // A window opens with an e-mail's first attempt; an e-mail without failures is forgotten soon after.
        _failures = PartitionedRateLimiter.Create<string, string>(email => RateLimitPartition.GetFixedWindowLimiter(
            email, _ => new FixedWindowRateLimiterOptions { PermitLimit = limits.FailedSignInsPerEmail, Window = limits.FailedSignInWindow, QueueLimit = 0 }));
    }

    /// <summary>Null when the e-mail may try to sign in; otherwise how long it has to wait (at most a window).</summary>
    public TimeSpan? RefusedFor(string email)
    {
        using var lease = _failures.AttemptAcquire(User.Normalize(email), permitCount: 0);
        return lease.IsAcquired ? null : lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : _window;
    }

    public void CountFailure(string email)
    {
        using var _ = _failures.AttemptAcquire(User.Normalize(email));
    }

    public void Dispose() => _failures.Dispose();
}

/// <summary>What a person is told when sign-in attempts are refused, by address or by e-mail alike.</summary>
public static class SignInRefusal
{
    public static string Message(TimeSpan wait) => $"Too many sign-in attempts. Wait {Describe(wait)} before trying again.";

    private static string Describe(TimeSpan wait) => wait switch
    {
        _ when wait <= TimeSpan.FromSeconds(1) => "a second",
        _ when wait < TimeSpan.FromMinutes(1) => $"{Math.Ceiling(wait.TotalSeconds):0} seconds",
        _ when wait <= TimeSpan.FromMinutes(1) => "a minute",
        _ => $"{Math.Ceiling(wait.TotalMinutes):0} minutes",
    };
}
