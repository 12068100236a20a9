namespace AlyAspire.StorefrontApi.Domain;

/// <summary>A storefront: its theme and settings, and whether it is live.</summary>
public sealed class Site : IWorkspaceOwned
{
    public Guid Id { get; set; }
    public Guid WorkspaceId { get; set; }
    public required string Name { get; set; }
    public required string Subdomain { get; set; }
    public required string Theme { get; set; }
    public required string Currency { get; set; }
    public required string Locale { get; set; }
    public string? SeoTitle { get; set; }
    public string? SeoDescription { get; set; }
    public bool IsPublished { get; set; }
    public DateTimeOffset? PublishedAt { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

public static class DomainStatus
{
    public const string PendingVerification = "pending_verification";
    public const string Verified = "verified";

    /// <summary>Shown, never stored: a pending claim past its expiry.</summary>
    public const string Expired = "expired";
}

/// <summary>
/// A workspace's claim on a host name for one of its sites. Pending claims expire and may coexist across workspaces;
/// a verified claim is the only one on its host name, platform-wide.
/// </summary>
public sealed class CustomDomain : IWorkspaceOwned
{
    public Guid Id { get; set; }
    public Guid WorkspaceId { get; set; }
    public Guid SiteId { get; set; }
    public required string HostName { get; set; }
    public required string Status { get; set; }
    /// <summary>The TXT record value the merchant publishes to prove they own the host name.</summary>
    public required string VerificationRecord { get; set; }
    public DateTimeOffset AttachedAt { get; set; }
    /// <summary>When a pending claim lapses; null once verified.</summary>
    public DateTimeOffset? ExpiresAt { get; set; }
    public DateTimeOffset? VerifiedAt { get; set; }
}

/// <summary>The workspace's voice agent: how it answers the store's phone line.</summary>
public sealed class VoiceAgentConfig : IWorkspaceOwned
{
    public Guid WorkspaceId { get; set; }
    public bool Enabled { get; set; }
    public required string Voice { get; set; }
    public required string Language { get; set; }
    public required string Greeting { get; set; }
    public string? HandoffPhoneNumber { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>A media asset's metadata; the bytes live in object storage under <see cref="Url"/>.</summary>
public sealed class MediaAsset : IWorkspaceOwned
{
    public Guid Id { get; set; }
    public Guid WorkspaceId { get; set; }
    public required string FileName { get; set; }
    public required string ContentType { get; set; }
    public long SizeBytes { get; set; }
    public required string Url { get; set; }
    public string? AltText { get; set; }
    public DateTimeOffset UploadedAt { get; set; }
}
