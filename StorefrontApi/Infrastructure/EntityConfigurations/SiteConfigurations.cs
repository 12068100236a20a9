using AlyAspire.StorefrontApi.Domain;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AlyAspire.StorefrontApi.Infrastructure.EntityConfigurations;

internal sealed class SiteConfiguration : IEntityTypeConfiguration<Site>
{
    public void Configure(EntityTypeBuilder<Site> builder)
    {
        builder.Property(s => s.Name).HasMaxLength(120);
        builder.Property(s => s.Subdomain).HasMaxLength(63);
        builder.Property(s => s.Theme).HasMaxLength(64);
        builder.Property(s => s.Currency).HasMaxLength(3);
        builder.Property(s => s.Locale).HasMaxLength(16);
        builder.Property(s => s.SeoTitle).HasMaxLength(120);
        builder.Property(s => s.SeoDescription).HasMaxLength(320);
        // Subdomains are platform-wide: two workspaces cannot both serve shop.aly.store.
        builder.HasIndex(s => s.Subdomain).IsUnique();
        builder.HasIndex(s => s.WorkspaceId);
    }
}

internal sealed class CustomDomainConfiguration : IEntityTypeConfiguration<CustomDomain>
{
    public void Configure(EntityTypeBuilder<CustomDomain> builder)
    {
        builder.Property(d => d.HostName).HasMaxLength(253);
        builder.Property(d => d.Status).HasMaxLength(32);
        builder.Property(d => d.VerificationRecord).HasMaxLength(128);
        // One verified claim per host name on the whole platform; pending claims of several workspaces may coexist.
        builder.HasIndex(d => d.HostName).IsUnique().HasFilter($"\"Status\" = '{DomainStatus.Verified}'").HasDatabaseName("IX_Domains_HostName_Verified");
        builder.HasIndex(d => new { d.WorkspaceId, d.HostName }).IsUnique();
        builder.HasOne<Site>().WithMany().HasForeignKey(d => d.SiteId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class VoiceAgentConfigConfiguration : IEntityTypeConfiguration<VoiceAgentConfig>
{
    public void Configure(EntityTypeBuilder<VoiceAgentConfig> builder)
    {
        builder.HasKey(v => v.WorkspaceId);
        builder.Property(v => v.Voice).HasMaxLength(64);
        builder.Property(v => v.Language).HasMaxLength(16);
        builder.Property(v => v.Greeting).HasMaxLength(500);
        builder.Property(v => v.HandoffPhoneNumber).HasMaxLength(32);
    }
}

internal sealed class MediaAssetConfiguration : IEntityTypeConfiguration<MediaAsset>
{
    public void Configure(EntityTypeBuilder<MediaAsset> builder)
    {
        builder.Property(m => m.FileName).HasMaxLength(255);
        builder.Property(m => m.ContentType).HasMaxLength(127);
        builder.Property(m => m.Url).HasMaxLength(2048);
        builder.Property(m => m.AltText).HasMaxLength(500);
        builder.HasIndex(m => new { m.WorkspaceId, m.UploadedAt });
    }
}
