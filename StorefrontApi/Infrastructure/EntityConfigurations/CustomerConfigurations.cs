using AlyAspire.StorefrontApi.Domain;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AlyAspire.StorefrontApi.Infrastructure.EntityConfigurations;

internal sealed class CustomerConfiguration : IEntityTypeConfiguration<Customer>
{
    public void Configure(EntityTypeBuilder<Customer> builder)
    {
        builder.Property(c => c.Email).HasMaxLength(254);
        builder.Property(c => c.Name).HasMaxLength(200);
        builder.Property(c => c.Phone).HasMaxLength(32);
        builder.Property(c => c.Note).HasMaxLength(2000);
        builder.HasIndex(c => new { c.WorkspaceId, c.Email }).IsUnique();
        builder.HasOne<CustomerGroup>().WithMany().HasForeignKey(c => c.GroupId).OnDelete(DeleteBehavior.SetNull);
    }
}

internal sealed class CustomerGroupConfiguration : IEntityTypeConfiguration<CustomerGroup>
{
    public void Configure(EntityTypeBuilder<CustomerGroup> builder)
    {
        builder.Property(g => g.Name).HasMaxLength(120);
        builder.Property(g => g.Description).HasMaxLength(500);
        builder.HasIndex(g => new { g.WorkspaceId, g.Name }).IsUnique();
    }
}
