using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AlyAspire.RateLimiter.Infrastructure.EntityConfigurations;

internal sealed class WorkspaceLimitOverrideEntityTypeConfiguration : IEntityTypeConfiguration<WorkspaceLimitOverride>
{
    public const int MaxWorkspaceIdLength = 64;
    public const int MaxPlanLength = 32;

    public void Configure(EntityTypeBuilder<WorkspaceLimitOverride> builder)
    {
        builder.ToTable("workspace_limit_overrides");
        builder.HasKey(o => o.WorkspaceId);
        builder.Property(o => o.WorkspaceId).HasMaxLength(MaxWorkspaceIdLength);
        builder.Property(o => o.Plan).HasMaxLength(MaxPlanLength);

        // A budget is all three numbers or none: a half-set budget would be meaningless.
        builder.ToTable(t =>
        {
            t.HasCheckConstraint("ck_workspace_budget_complete",
                "(\"RequestsPerWindow\" IS NULL) = (\"WindowSeconds\" IS NULL) AND (\"WindowSeconds\" IS NULL) = (\"Burst\" IS NULL)");
            t.HasCheckConstraint("ck_credential_budget_complete",
                "(\"CredentialRequestsPerWindow\" IS NULL) = (\"CredentialWindowSeconds\" IS NULL) AND (\"CredentialWindowSeconds\" IS NULL) = (\"CredentialBurst\" IS NULL)");
        });
    }
}
