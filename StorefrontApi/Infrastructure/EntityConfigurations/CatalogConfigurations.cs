using AlyAspire.StorefrontApi.Domain;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AlyAspire.StorefrontApi.Infrastructure.EntityConfigurations;

internal sealed class ProductConfiguration : IEntityTypeConfiguration<Product>
{
    public void Configure(EntityTypeBuilder<Product> builder)
    {
        builder.Property(p => p.Title).HasMaxLength(200);
        builder.Property(p => p.Handle).HasMaxLength(200);
        builder.Property(p => p.Description).HasMaxLength(5000);
        builder.Property(p => p.Price).HasPrecision(12, 2);
        builder.Property(p => p.Currency).HasMaxLength(3);
        builder.Property(p => p.Status).HasMaxLength(16);
        builder.HasIndex(p => new { p.WorkspaceId, p.Handle }).IsUnique();
    }
}

internal sealed class ProductCollectionConfiguration : IEntityTypeConfiguration<ProductCollection>
{
    public void Configure(EntityTypeBuilder<ProductCollection> builder)
    {
        builder.ToTable("Collections");
        builder.Property(c => c.Title).HasMaxLength(200);
        builder.Property(c => c.Handle).HasMaxLength(200);
        builder.HasIndex(c => new { c.WorkspaceId, c.Handle }).IsUnique();
    }
}

internal sealed class ContentPageConfiguration : IEntityTypeConfiguration<ContentPage>
{
    public void Configure(EntityTypeBuilder<ContentPage> builder)
    {
        builder.ToTable("Pages");
        builder.Property(p => p.Title).HasMaxLength(200);
        builder.Property(p => p.Slug).HasMaxLength(200);
        builder.HasIndex(p => new { p.WorkspaceId, p.Slug }).IsUnique();
        builder.OwnsMany(p => p.Blocks, b => b.ToJson());
    }
}
