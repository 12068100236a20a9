using System.ComponentModel.DataAnnotations;

namespace AlyAspire.AuthServer.Throttling;

/// <summary>
/// Who a client is for per-address limits, and how often people may try to sign in (section <c>Throttling</c>).
/// The client registration limit stays with the OAuth settings (<c>OAuth:RegistrationPermitsPerMinute</c>).
/// </summary>
public sealed class ThrottlingOptions
{
    public const string Section = "Throttling";

    /// <summary>Sign-in and sign-up form posts allowed per client address per minute.</summary>
    [Range(1, 100_000)]
    public int SignInPostsPerMinute { get; set; } = 30;

    /// <summary>
    /// Failed sign-ins one e-mail may have (from any address) within <see cref="FailedSignInWindow"/>; after that
    /// the e-mail is refused until the window ends, whether or not an account has it.
    /// </summary>
    [Range(1, 1_000)]
    public int FailedSignInsPerEmail { get; set; } = 5;

    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan FailedSignInWindow { get; set; } = TimeSpan.FromMinutes(15);
}
