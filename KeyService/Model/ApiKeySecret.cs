namespace AlyAspire.KeyService.Model;

/// <summary>
/// One secret of an <see cref="ApiKey"/>, as its HMAC-SHA-256 only. Verification is one indexed read by
/// <see cref="Hash"/>. The current secret has no <see cref="GraceExpiresAt"/>; a rolled-away one keeps
/// working until it.
/// </summary>
public sealed class ApiKeySecret
{
    public Guid Id { get; set; }

    public Guid ApiKeyId { get; set; }

    public ApiKey ApiKey { get; set; } = null!;

    public required byte[] Hash { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>Set when the key is rolled: the end of this secret's grace period.</summary>
    public DateTimeOffset? GraceExpiresAt { get; set; }

    /// <summary>When this secret's revocation marker was written: at once for a roll without grace, else when the grace ended.</summary>
    public DateTimeOffset? RevocationMarkedAt { get; set; }
}
