using AlyAspire.AuthServer.Infrastructure;
using Microsoft.Extensions.Options;

namespace AlyAspire.AuthServer.Throttling;

/// <summary>
/// Failed sign-ins per e-mail, whatever the address they come from: once an e-mail has used up
/// <see cref="ThrottlingOptions.FailedSignInsPerEmail"/> in its window, every sign-in with it is refused, the
/// right password included, until the window ends. E-mails with no account are counted the same way, so a
/// refusal says nothing about whether an account exists. Counted in Redis (<see cref="SharedWindowCounters"/>),
/// so every AuthServer instance, and a restarted one, sees the same failures.
/// </summary>
public sealed class FailedSignInLimiter(SharedWindowCounters counters, IOptions<ThrottlingOptions> options)
{
    /// <summary>
    /// Null when the e-mail may try to sign in; otherwise how long it has to wait (at most a window), in whole
    /// minutes past the first: refusals for e-mails locked a few seconds apart read the same.
    /// </summary>
    public async ValueTask<TimeSpan?> RefusedForAsync(string email, CancellationToken cancellationToken) =>
        await counters.CountAsync(Limit(email), hits: 0, cancellationToken) is { } wait
            ? wait > TimeSpan.FromMinutes(1) ? TimeSpan.FromMinutes(Math.Ceiling(wait.TotalMinutes)) : TimeSpan.FromSeconds(Math.Ceiling(wait.TotalSeconds))
            : null;

    /// <summary>Not cancellable: a guess whose sender hangs up after the password check still counts.</summary>
    public async ValueTask CountFailureAsync(string email) =>
        await counters.CountAsync(Limit(email), hits: 1, CancellationToken.None);

    private WindowLimit Limit(string email) =>
        new("sign-in-failures", User.Normalize(email), options.Value.FailedSignInsPerEmail, options.Value.FailedSignInWindow);
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
