using System.ComponentModel.DataAnnotations;

namespace AlyAspire.AuthServer.Email;

/// <summary>The SMTP relay the AuthServer sends its mail through (section <c>Email</c>; smtp4dev in run mode).</summary>
public sealed class EmailOptions
{
    public const string Section = "Email";

    [Required]
    public string SmtpHost { get; set; } = string.Empty;

    [Range(1, 65535)]
    public int SmtpPort { get; set; } = 25;

    /// <summary>Empty: the relay takes mail without authentication (smtp4dev).</summary>
    public string? SmtpUsername { get; set; }

    public string? SmtpPassword { get; set; }

    /// <summary>StartTLS when the relay offers it; required whenever credentials are sent.</summary>
    public bool RequireTls { get; set; }

    [Required, EmailAddress]
    public string From { get; set; } = "no-reply@alyaspire.local";

    public string FromName { get; set; } = "AlyAspire";

    /// <summary>How long one delivery attempt may take before it counts as failed and is retried later.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:05:00")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(15);
}
