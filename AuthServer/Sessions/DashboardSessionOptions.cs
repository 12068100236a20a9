using System.ComponentModel.DataAnnotations;

namespace AlyAspire.AuthServer.Sessions;

/// <summary>The dashboard session (section <c>Session</c>).</summary>
public sealed class DashboardSessionOptions
{
    public const string Section = "Session";

    /// <summary>HMAC-SHA-256 key of the session JWT (<c>Session:SigningKey</c>, from the AppHost).</summary>
    [Required, MinLength(32)]
    public string SigningKey { get; set; } = string.Empty;

    /// <summary>How long a session lives without activity; renewed once half of it has passed.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "12:00:00")]
    public TimeSpan Lifetime { get; set; } = TimeSpan.FromMinutes(30);
}
