using AlyAspire.StorefrontApi.Domain;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AlyAspire.StorefrontApi.Infrastructure.EntityConfigurations;

internal sealed class OrderConfiguration : IEntityTypeConfiguration<Order>
{
    public void Configure(EntityTypeBuilder<Order> builder)
    {
        builder.Property(o => o.Email).HasMaxLength(254);
        builder.Property(o => o.State).HasMaxLength(16);
        builder.Property(o => o.Currency).HasMaxLength(3);
        builder.Property(o => o.Subtotal).HasPrecision(12, 2);
        builder.Property(o => o.Shipping).HasPrecision(12, 2);
        builder.Property(o => o.Total).HasPrecision(12, 2);
        builder.Property(o => o.RefundedAmount).HasPrecision(12, 2);
        builder.Property(o => o.Version).IsRowVersion();
        builder.HasIndex(o => new { o.WorkspaceId, o.Number }).IsUnique();
        // The order list pages newest first, optionally by state.
        builder.HasIndex(o => new { o.WorkspaceId, o.State, o.CreatedAt });
        builder.HasIndex(o => new { o.WorkspaceId, o.CreatedAt });
        builder.HasOne<Customer>().WithMany().HasForeignKey(o => o.CustomerId).OnDelete(DeleteBehavior.SetNull);
        // Lines and fulfillment/refund records only ever travel with their order: one jsonb document each.
        builder.OwnsMany(o => o.Lines, b => b.ToJson());
        builder.OwnsMany(o => o.Fulfillments, b => b.ToJson());
        builder.OwnsMany(o => o.Refunds, b => b.ToJson());
    }
}
