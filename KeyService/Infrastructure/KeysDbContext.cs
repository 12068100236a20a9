using AlyAspire.KeyService.Model;
using Microsoft.EntityFrameworkCore;

namespace AlyAspire.KeyService.Infrastructure;

public sealed class KeysDbContext(DbContextOptions<KeysDbContext> options) : DbContext(options)
{
    public DbSet<ApiKey> ApiKeys => Set<ApiKey>();

    public DbSet<ApiKeySecret> ApiKeySecrets => Set<ApiKeySecret>();

    public DbSet<CredentialUsageDay> CredentialUsage => Set<CredentialUsageDay>();

    public DbSet<UsageBatchRecord> UsageBatches => Set<UsageBatchRecord>();

    public DbSet<ApiKeyAuditRecord> ApiKeyAuditRecords => Set<ApiKeyAuditRecord>();

    protected override void OnModelCreating(ModelBuilder modelBuilder) =>
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(KeysDbContext).Assembly);
}
