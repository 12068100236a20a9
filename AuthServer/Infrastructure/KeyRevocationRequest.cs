using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AlyAspire.AuthServer.Infrastructure;

/// <summary>
/// Outbox row: agent-minted API keys the KeyService must revoke, because their OAuth grant was revoked
/// (<see cref="AuthorizationId"/>) or their person left the workspace (<see cref="WorkspaceId"/> + <see cref="UserId"/>).
/// Written with the change that causes it (or before it), delivered with retries until the KeyService confirms.
/// </summary>
public sealed class KeyRevocationRequest
{
    public long Id { get; set; }

    public string? AuthorizationId { get; set; }

    public Guid? WorkspaceId { get; set; }

    public Guid? UserId { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset? DeliveredAt { get; set; }

    public int Attempts { get; set; }

    public DateTimeOffset NextAttemptAt { get; set; }

    /// <summary>Keys minted under a revoked grant.</summary>
    public static KeyRevocationRequest ForGrant(string authorizationId, DateTimeOffset now) =>
        new() { AuthorizationId = authorizationId, CreatedAt = now, NextAttemptAt = now };

    /// <summary>
    /// Keys agents minted on behalf of a person who left the workspace. Add it to the same context (and
    /// transaction) as the membership change, so both commit or neither does.
    /// </summary>
    public static KeyRevocationRequest ForPersonLeaving(Guid workspaceId, Guid userId, DateTimeOffset now) =>
        new() { WorkspaceId = workspaceId, UserId = userId, CreatedAt = now, NextAttemptAt = now };
}

internal sealed class KeyRevocationRequestConfiguration : IEntityTypeConfiguration<KeyRevocationRequest>
{
    public void Configure(EntityTypeBuilder<KeyRevocationRequest> builder)
    {
        builder.ToTable("key_revocation_outbox");
        builder.HasKey(r => r.Id);
        builder.Property(r => r.AuthorizationId).HasMaxLength(100);
        // The deliverer's scan: undelivered rows, soonest first.
        builder.HasIndex(r => r.NextAttemptAt).HasFilter("\"DeliveredAt\" IS NULL");
    }
}
