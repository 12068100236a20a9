using System.ComponentModel.DataAnnotations;

namespace AlyAspire.AuthServer.People;

/// <summary>Accounts and invitations (section <c>Accounts</c>).</summary>
public sealed class AccountOptions
{
    public const string Section = "Accounts";

    /// <summary>
    /// The dashboard's public base URL, the only base of links in mail (<c>Accounts:PublicBaseUrl</c>, from the AppHost):
    /// never the request's Host header, which a caller chooses.
    /// </summary>
    [Required, Url]
    public string PublicBaseUrl { get; set; } = string.Empty;

    [Range(typeof(TimeSpan), "00:05:00", "7.00:00:00")]
    public TimeSpan VerificationLinkLifetime { get; set; } = TimeSpan.FromHours(24);

    [Range(typeof(TimeSpan), "00:05:00", "1.00:00:00")]
    public TimeSpan ResetLinkLifetime { get; set; } = TimeSpan.FromHours(1);

    [Range(typeof(TimeSpan), "01:00:00", "30.00:00:00")]
    public TimeSpan InvitationLifetime { get; set; } = TimeSpan.FromDays(7);

    public string Link(string pathAndQuery) => PublicBaseUrl.TrimEnd('/') + pathAndQuery;
}
