namespace AlyAspire.SampleAgent;

/// <summary>
/// How this agent prints a secret: its documented prefix, four characters, an ellipsis and the last four
/// (e.g. <c>aly_a8d9…e3c7</c>), never enough to use it. The prefixes are the platform's published credential formats.
/// </summary>
internal static class SecretDisplay
{
    public const string OAuthAccessTokenPrefix = "aly_oauth_";

    private const int Shown = 4;
    private static readonly string[] Prefixes = [OAuthAccessTokenPrefix, "aly_refresh_", "aly_mcs_", "aly_"];

    public static string Of(string secret)
    {
        var prefix = Prefixes.FirstOrDefault(p => secret.StartsWith(p, StringComparison.Ordinal)) ?? string.Empty;
        var body = secret.AsSpan(prefix.Length);
        return body.Length < 3 * Shown ? prefix + "…" : $"{prefix}{body[..Shown]}…{body[^Shown..]}";
    }
}
