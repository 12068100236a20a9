namespace AlyAspire.Shared.Credentials;

/// <summary>
/// UCP platform (shopping agent) profile URLs, as a credential may be bound to one: UCP's identity binding requires
/// that an API key or OAuth client only acts for the platform it was issued to, named per request in <c>UCP-Agent</c>.
/// </summary>
public static class PlatformProfiles
{
    public const int MaxLength = 2048;

    /// <summary>
    /// The canonical form of a profile URL a credential may be bound to (UCP profiles are served over https): an
    /// absolute https URL without user info or fragment, as <see cref="Uri.AbsoluteUri"/> spells it; null if it is not one.
    /// </summary>
    public static string? Canonical(string? url) =>
        url is { Length: > 0 and <= MaxLength }
        && Uri.TryCreate(url.Trim(), UriKind.Absolute, out var profile)
        && profile.Scheme == Uri.UriSchemeHttps && profile.UserInfo.Length == 0 && profile.Fragment.Length == 0
        && profile.AbsoluteUri.Length <= MaxLength
            ? profile.AbsoluteUri
            : null;

    /// <summary>Why a profile given for a credential was refused: the one wording of every form and API that takes one.</summary>
    public static readonly string InvalidReason =
        $"The platform profile must be an absolute https URL of at most {MaxLength} characters, e.g. https://agent.example/.well-known/ucp.";

    /// <summary>
    /// Reads an optional profile as given for a new credential: none (null or blank) binds nothing; anything else must
    /// be <see cref="Canonical"/>. False when it is given but not a profile URL (<see cref="InvalidReason"/>).
    /// </summary>
    public static bool TryReadOptional(string? given, out string? canonical)
    {
        canonical = string.IsNullOrWhiteSpace(given) ? null : Canonical(given);
        return canonical is not null || string.IsNullOrWhiteSpace(given);
    }

    /// <summary>Whether a credential bound to <paramref name="bound"/> (null: not bound) may not act for <paramref name="presented"/> (canonical).</summary>
    public static bool Conflicts(string? bound, string presented) =>
        bound is not null && !string.Equals(bound, presented, StringComparison.Ordinal);
}
