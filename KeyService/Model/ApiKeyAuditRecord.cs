namespace AlyAspire.KeyService.Model;

/// <summary>
/// Who created, rolled or revoked a key, when and from where. Never the secret. Also the outbox of the workspace's
/// audit log in the AuthServer: <see cref="Services.AuditDelivery"/> delivers each record once and sets <see cref="DeliveredAt"/>.
/// </summary>
public sealed class ApiKeyAuditRecord
{
    public long Id { get; set; }

    public Guid ApiKeyId { get; set; }

    public Guid WorkspaceId { get; set; }

    public required string Action { get; set; }

    public required string Actor { get; set; }

    public string? SourceIp { get; set; }

    public DateTimeOffset OccurredAt { get; set; }

    /// <summary><c>person</c>, <c>api_key</c>, <c>oauth_client</c> or <c>system</c> (<see cref="Services.KeyActorKinds"/>).</summary>
    public string? ActorKind { get; set; }

    /// <summary>For people reading the log: the key's name and scopes, never its secret.</summary>
    public string? Detail { get; set; }

    public DateTimeOffset? DeliveredAt { get; set; }
}
