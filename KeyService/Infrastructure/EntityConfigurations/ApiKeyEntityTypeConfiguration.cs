using AlyAspire.KeyService.Model;
using AlyAspire.Shared.Credentials;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AlyAspire.KeyService.Infrastructure.EntityConfigurations;

internal sealed class ApiKeyEntityTypeConfiguration : IEntityTypeConfiguration<ApiKey>
{
    public void Configure(EntityTypeBuilder<ApiKey> builder)
    {
        builder.ToTable("ApiKeys");
        builder.Property(k => k.Id).ValueGeneratedNever();
        builder.Property(k => k.Name).HasMaxLength(ApiKey.NameMaxLength);
        builder.Property(k => k.CreatedBy).HasMaxLength(200);
        builder.Property(k => k.RevokedBy).HasMaxLength(200);
        builder.Property(k => k.DisplayPrefix).HasMaxLength(16);
        builder.Property(k => k.DisplaySuffix).HasMaxLength(16);
        builder.Property(k => k.Scopes).HasColumnType("text[]");
        builder.Ignore(k => k.IsRevoked);
        // Listing a workspace's keys, newest first.
        builder.HasIndex(k => new { k.WorkspaceId, k.CreatedAt });
        builder.Property(k => k.AuthorizationId).HasMaxLength(100);
        builder.Property(k => k.PlatformProfile).HasMaxLength(PlatformProfiles.MaxLength);
        // Revoking with a grant, or when a person leaves: the keys minted under it or for them.
        builder.HasIndex(k => k.AuthorizationId).HasFilter("\"AuthorizationId\" IS NOT NULL");
        builder.HasIndex(k => new { k.WorkspaceId, k.OnBehalfOfUserId }).HasFilter("\"OnBehalfOfUserId\" IS NOT NULL");
        builder.HasMany(k => k.Secrets).WithOne(s => s.ApiKey).HasForeignKey(s => s.ApiKeyId);
    }
}

internal sealed class ApiKeySecretEntityTypeConfiguration : IEntityTypeConfiguration<ApiKeySecret>
{
    public void Configure(EntityTypeBuilder<ApiKeySecret> builder)
    {
        builder.ToTable("ApiKeySecrets");
        builder.Property(s => s.Id).ValueGeneratedNever();
        builder.Property(s => s.Hash).HasColumnType("bytea").IsRequired();
        // Verification is one read through this index.
        builder.HasIndex(s => s.Hash).IsUnique();
        // The grace-end job's scan: rolled-away secrets whose marker is not written yet.
        builder.HasIndex(s => s.GraceExpiresAt).HasFilter("\"GraceExpiresAt\" IS NOT NULL AND \"RevocationMarkedAt\" IS NULL");
    }
}

internal sealed class CredentialUsageDayEntityTypeConfiguration : IEntityTypeConfiguration<CredentialUsageDay>
{
    public void Configure(EntityTypeBuilder<CredentialUsageDay> builder)
    {
        builder.ToTable("CredentialDailyUsage");
        builder.HasKey(u => new { u.WorkspaceId, u.CredentialKind, u.CredentialId, u.Day });
        builder.Property(u => u.CredentialKind).HasMaxLength(16);
        builder.Property(u => u.CredentialId).HasMaxLength(CredentialUsageDay.IdentifierMaxLength);
        builder.Property(u => u.ClientId).HasMaxLength(CredentialUsageDay.IdentifierMaxLength);
        // A workspace's report reads its days in a range.
        builder.HasIndex(u => new { u.WorkspaceId, u.Day });
    }
}

internal sealed class UsageBatchRecordEntityTypeConfiguration : IEntityTypeConfiguration<UsageBatchRecord>
{
    public void Configure(EntityTypeBuilder<UsageBatchRecord> builder)
    {
        builder.ToTable("UsageBatches");
        builder.Property(b => b.Id).ValueGeneratedNever();
        // Old receipts are deleted by age.
        builder.HasIndex(b => b.ReceivedAt);
    }
}

internal sealed class ApiKeyAuditRecordEntityTypeConfiguration : IEntityTypeConfiguration<ApiKeyAuditRecord>
{
    public void Configure(EntityTypeBuilder<ApiKeyAuditRecord> builder)
    {
        builder.ToTable("ApiKeyAuditRecords");
        builder.Property(a => a.Action).HasMaxLength(32);
        builder.Property(a => a.Actor).HasMaxLength(200);
        builder.Property(a => a.SourceIp).HasMaxLength(64);
        builder.HasIndex(a => new { a.WorkspaceId, a.OccurredAt });
        builder.HasIndex(a => a.ApiKeyId);
        builder.Property(a => a.ActorKind).HasMaxLength(32);
        builder.Property(a => a.Detail).HasMaxLength(500);
        // The audit delivery's scan: records not yet in the AuthServer's log.
        builder.HasIndex(a => a.Id).HasFilter("\"DeliveredAt\" IS NULL").HasDatabaseName("IX_ApiKeyAuditRecords_Undelivered");
    }
}
