using AlyAspire.StorefrontApi.Domain;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AlyAspire.StorefrontApi.Infrastructure.EntityConfigurations;

internal sealed class WorkspaceSettingsConfiguration : IEntityTypeConfiguration<WorkspaceSettings>
{
    public void Configure(EntityTypeBuilder<WorkspaceSettings> builder)
    {
        builder.HasKey(s => s.WorkspaceId);
        builder.Property(s => s.Name).HasMaxLength(120);
        builder.Property(s => s.SupportEmail).HasMaxLength(254);
        builder.Property(s => s.DefaultCurrency).HasMaxLength(3);
        builder.Property(s => s.Timezone).HasMaxLength(64);
    }
}

internal sealed class ActivityEventConfiguration : IEntityTypeConfiguration<ActivityEvent>
{
    public void Configure(EntityTypeBuilder<ActivityEvent> builder)
    {
        builder.Property(e => e.Actor).HasMaxLength(120);
        builder.Property(e => e.Kind).HasMaxLength(64);
        builder.Property(e => e.Summary).HasMaxLength(500);
        builder.Property(e => e.SubjectId).HasMaxLength(64);
        builder.HasIndex(e => new { e.WorkspaceId, e.OccurredAt });
    }
}

internal sealed class TrafficDayConfiguration : IEntityTypeConfiguration<TrafficDay>
{
    public void Configure(EntityTypeBuilder<TrafficDay> builder) => builder.HasKey(d => new { d.WorkspaceId, d.Day });
}
