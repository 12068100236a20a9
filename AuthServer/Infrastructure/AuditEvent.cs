using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AlyAspire.AuthServer.Infrastructure;

/// <summary>
/// One line of a workspace's audit log: who did what to what, from where, and how it ended. Append-only (nothing
/// updates or deletes a row), and never a secret: credentials appear by id or display form only.
/// </summary>
public sealed class AuditEvent
{
    public long Id { get; set; }

    public Guid WorkspaceId { get; set; }

    public DateTimeOffset OccurredAt { get; set; }

    /// <summary>What happened, dotted: <c>key.created</c>, <c>oauth.consent_granted</c>, <c>signin.succeeded</c>… (<see cref="Shared.Audit.AuditKinds"/>).</summary>
    public required string Kind { get; set; }

    /// <summary><c>person</c>, <c>api_key</c>, <c>oauth_client</c> or <c>system</c>.</summary>
    public required string ActorKind { get; set; }

    /// <summary><c>user:{id}</c>, <c>key:{id}</c>, <c>oauth:{token id}</c>, or what the system acted for.</summary>
    public required string ActorId { get; set; }

    public string? ClientAddress { get; set; }

    /// <summary>What was acted on: <c>key:{id}</c>, <c>client:{client id}</c>, <c>user:{id}</c>…</summary>
    public string? Target { get; set; }

    /// <summary><c>succeeded</c>, <c>failed</c> or <c>refused</c>.</summary>
    public required string Outcome { get; set; }

    /// <summary>A short description for people (names, scopes); never a secret.</summary>
    public string? Detail { get; set; }

    /// <summary>Set for events delivered by another service: makes a redelivery a no-op.</summary>
    public string? SourceEventId { get; set; }
}

internal sealed class AuditEventConfiguration : IEntityTypeConfiguration<AuditEvent>
{
    public void Configure(EntityTypeBuilder<AuditEvent> builder)
    {
        builder.ToTable("audit_events");
        builder.HasKey(e => e.Id);
        builder.Property(e => e.Kind).HasMaxLength(64);
        builder.Property(e => e.ActorKind).HasMaxLength(32);
        builder.Property(e => e.ActorId).HasMaxLength(200);
        builder.Property(e => e.ClientAddress).HasMaxLength(64);
        builder.Property(e => e.Target).HasMaxLength(200);
        builder.Property(e => e.Outcome).HasMaxLength(16);
        builder.Property(e => e.Detail).HasMaxLength(500);
        builder.Property(e => e.SourceEventId).HasMaxLength(100);
        // A workspace's log, newest first, optionally by kind.
        builder.HasIndex(e => new { e.WorkspaceId, e.OccurredAt, e.Id });
        builder.HasIndex(e => e.SourceEventId).IsUnique().HasFilter("\"SourceEventId\" IS NOT NULL");
    }
}
