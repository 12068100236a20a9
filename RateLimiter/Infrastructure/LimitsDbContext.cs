using AlyAspire.RateLimiter.Infrastructure.EntityConfigurations;
using Microsoft.EntityFrameworkCore;

namespace AlyAspire.RateLimiter.Infrastructure;

public sealed class LimitsDbContext(DbContextOptions<LimitsDbContext> options) : DbContext(options)
{
    public DbSet<WorkspaceLimitOverride> WorkspaceLimitOverrides => Set<WorkspaceLimitOverride>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.ApplyConfiguration(new WorkspaceLimitOverrideEntityTypeConfiguration());
    }
}
