using AlyAspire.Shared.Credentials;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AlyAspire.AuthServer.Infrastructure.EntityConfigurations;

internal sealed class MachineClientConfiguration : IEntityTypeConfiguration<MachineClient>
{
    public void Configure(EntityTypeBuilder<MachineClient> builder)
    {
        builder.ToTable("machine_clients");
        builder.HasKey(c => c.Id);
        builder.Property(c => c.ClientId).HasMaxLength(64);
        builder.HasIndex(c => c.ClientId).IsUnique();
        builder.Property(c => c.ApplicationId).HasMaxLength(100);
        builder.HasIndex(c => c.ApplicationId).IsUnique();
        builder.Property(c => c.AuthorizationId).HasMaxLength(100);
        builder.Property(c => c.Name).HasMaxLength(100);
        builder.Property(c => c.CreatedBy).HasMaxLength(100);
        builder.Property(c => c.SecretDisplay).HasMaxLength(40);
        builder.Property(c => c.PreviousSecretHash).HasMaxLength(512);
        builder.Property(c => c.PlatformProfile).HasMaxLength(PlatformProfiles.MaxLength);
        builder.HasIndex(c => c.WorkspaceId);
        builder.HasOne<Workspace>().WithMany().HasForeignKey(c => c.WorkspaceId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class ServerTokenKeyConfiguration : IEntityTypeConfiguration<ServerTokenKey>
{
    public void Configure(EntityTypeBuilder<ServerTokenKey> builder)
    {
        builder.ToTable("server_token_keys");
        builder.HasKey(k => k.Purpose);
        builder.Property(k => k.Purpose).HasMaxLength(20);
    }
}
