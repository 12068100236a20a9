using AlyAspire.StorefrontApi.Domain;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AlyAspire.StorefrontApi.Infrastructure.EntityConfigurations;

internal sealed class CheckoutSessionConfiguration : IEntityTypeConfiguration<CheckoutSession>
{
    public void Configure(EntityTypeBuilder<CheckoutSession> builder)
    {
        builder.Property(c => c.Status).HasMaxLength(32);
        builder.Property(c => c.Currency).HasMaxLength(3);
        builder.Property(c => c.BuyerEmail).HasMaxLength(254);
        builder.Property(c => c.BuyerFirstName).HasMaxLength(100);
        builder.Property(c => c.BuyerLastName).HasMaxLength(100);
        builder.Property(c => c.PlatformProfile).HasMaxLength(2048);
        builder.Property(c => c.Version).IsRowVersion();
        builder.HasIndex(c => new { c.WorkspaceId, c.OrderId });
        builder.OwnsMany(c => c.Lines, b => b.ToJson());
    }
}

internal sealed class IdempotencyRecordConfiguration : IEntityTypeConfiguration<IdempotencyRecord>
{
    public void Configure(EntityTypeBuilder<IdempotencyRecord> builder)
    {
        builder.Property(r => r.Key).HasMaxLength(255);
        builder.Property(r => r.RequestHash).HasMaxLength(64);
        builder.HasIndex(r => new { r.WorkspaceId, r.Key }).IsUnique();
    }
}

internal sealed class AgentTaskConfiguration : IEntityTypeConfiguration<AgentTask>
{
    public void Configure(EntityTypeBuilder<AgentTask> builder)
    {
        builder.Property(t => t.ContextId).HasMaxLength(128);
        builder.Property(t => t.Skill).HasMaxLength(16);
        builder.Property(t => t.State).HasMaxLength(32);
        builder.Property(t => t.ResultJson).HasColumnType("jsonb");
        builder.Property(t => t.StatusText).HasMaxLength(1000);
        builder.HasIndex(t => new { t.WorkspaceId, t.ContextId });
    }
}
