using System.ComponentModel.DataAnnotations;

namespace AlyAspire.AuthServer.Throttling;

/// <summary>
/// Who a client is for per-address limits, how often people may try to sign in, and how often each OAuth endpoint
/// may be called (section <c>Throttling</c>). The client registration limit stays with the OAuth settings
/// (<c>OAuth:RegistrationPermitsPerMinute</c>).
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

    /// <summary>The window of the OAuth endpoints' limits below (and of the client registration limit).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan OAuthWindow { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary><c>/oauth/token</c>: code redemptions and refreshes.</summary>
    public OAuthEndpointLimit Token { get; set; } = new() { PerAddress = 300, PerClient = 60 };

    /// <summary>
    /// <c>/oauth/introspect</c>: asked by resource servers on every token they have not cached. The platform's own
    /// resource servers (<c>OAuth:ResourceServerClients</c>) presenting their configured secret are not limited; a
    /// request under their client id without it counts per address only: their client id is public, and anyone could
    /// otherwise use up their budget with it.
    /// </summary>
    public OAuthEndpointLimit Introspection { get; set; } = new() { PerAddress = 3000, PerClient = 3000 };

    /// <summary><c>/oauth/revoke</c>.</summary>
    public OAuthEndpointLimit Revocation { get; set; } = new() { PerAddress = 120, PerClient = 60 };

    /// <summary><c>/oauth/authorize</c>: each consent screen a person sees, and its form post.</summary>
    public OAuthEndpointLimit Authorization { get; set; } = new() { PerAddress = 120, PerClient = 120 };

    /// <summary>
    /// How long a count may wait for Redis before the instance counts on its own (the request path must not wait on
    /// a stalled Redis).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:00:05")]
    public TimeSpan RedisDeadline { get; set; } = TimeSpan.FromMilliseconds(150);

    /// <summary>After Redis failed to answer, how long counts stay local before Redis is tried again.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00")]
    public TimeSpan RedisRetryInterval { get; set; } = TimeSpan.FromSeconds(5);

    public IEnumerable<OAuthEndpointLimit> OAuthEndpoints => [Token, Introspection, Revocation, Authorization];
}

/// <summary>Requests one OAuth endpoint allows per <see cref="ThrottlingOptions.OAuthWindow"/>.</summary>
public sealed class OAuthEndpointLimit
{
    /// <summary>Per client address (IPv6: per /64).</summary>
    public int PerAddress { get; set; }

    /// <summary>Per client id, from whichever address it is presented.</summary>
    public int PerClient { get; set; }

    public bool IsValid => PerAddress is >= 1 and <= 1_000_000 && PerClient is >= 1 and <= 1_000_000;
}
