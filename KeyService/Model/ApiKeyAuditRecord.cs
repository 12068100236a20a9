namespace AlyAspire.KeyService.Model;

/// <summary>Who created, rolled or revoked a key, when and from where. Never the secret.</summary>
public sealed class ApiKeyAuditRecord
{
    public long Id { get; set; }

    public Guid ApiKeyId { get; set; }

    public Guid WorkspaceId { get; set; }

    public required string Action { get; set; }

    public required string Actor { get; set; }

    public string? SourceIp { get; set; }

    public DateTimeOffset OccurredAt { get; set; }
}
