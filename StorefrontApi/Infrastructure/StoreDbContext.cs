using System.Reflection;
using AlyAspire.StorefrontApi.Application;
using AlyAspire.StorefrontApi.Domain;
using Microsoft.EntityFrameworkCore;

namespace AlyAspire.StorefrontApi.Infrastructure;

/// <summary>
/// The merchant store. Every workspace-owned entity carries a query filter bound to the caller's workspace,
/// so no query can see another workspace's rows (their ids simply are not found), and new rows are stamped
/// with the caller's workspace on save.
/// </summary>
public sealed class StoreDbContext(DbContextOptions<StoreDbContext> options, ICurrentWorkspace currentWorkspace) : DbContext(options)
{
    public DbSet<WorkspaceSettings> WorkspaceSettings => Set<WorkspaceSettings>();
    public DbSet<ActivityEvent> ActivityEvents => Set<ActivityEvent>();
    public DbSet<TrafficDay> TrafficDays => Set<TrafficDay>();
    public DbSet<Site> Sites => Set<Site>();
    public DbSet<CustomDomain> Domains => Set<CustomDomain>();
    public DbSet<VoiceAgentConfig> VoiceAgents => Set<VoiceAgentConfig>();
    public DbSet<MediaAsset> MediaAssets => Set<MediaAsset>();
    public DbSet<Product> Products => Set<Product>();
    public DbSet<ProductCollection> Collections => Set<ProductCollection>();
    public DbSet<ContentPage> Pages => Set<ContentPage>();
    public DbSet<Customer> Customers => Set<Customer>();
    public DbSet<CustomerGroup> CustomerGroups => Set<CustomerGroup>();
    public DbSet<Order> Orders => Set<Order>();
    public DbSet<CheckoutSession> CheckoutSessions => Set<CheckoutSession>();
    public DbSet<IdempotencyRecord> IdempotencyRecords => Set<IdempotencyRecord>();
    public DbSet<AgentTask> AgentTasks => Set<AgentTask>();

    // Read by the query filters on every query (EF parameterises context members), so each request sees its own workspace.
    // Guid.Empty outside a request matches nothing: the seeder uses IgnoreQueryFilters explicitly.
    private Guid CurrentWorkspaceId => currentWorkspace.WorkspaceId ?? Guid.Empty;

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(StoreDbContext).Assembly);

        var applyFilter = typeof(StoreDbContext).GetMethod(nameof(ApplyWorkspaceFilter), BindingFlags.NonPublic | BindingFlags.Instance)!;
        foreach (var entityType in modelBuilder.Model.GetEntityTypes()
                     .Where(t => t.FindOwnership() is null && typeof(IWorkspaceOwned).IsAssignableFrom(t.ClrType)))
        {
            applyFilter.MakeGenericMethod(entityType.ClrType).Invoke(this, [modelBuilder]);
        }
    }

    private void ApplyWorkspaceFilter<TEntity>(ModelBuilder modelBuilder) where TEntity : class, IWorkspaceOwned =>
        modelBuilder.Entity<TEntity>().HasQueryFilter(e => e.WorkspaceId == CurrentWorkspaceId);

    public override Task<int> SaveChangesAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken = default)
    {
        StampWorkspace();
        return base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
    }

    public override int SaveChanges(bool acceptAllChangesOnSuccess)
    {
        StampWorkspace();
        return base.SaveChanges(acceptAllChangesOnSuccess);
    }

    /// <summary>New rows take the caller's workspace; a row of another workspace can never be written through a request.</summary>
    private void StampWorkspace()
    {
        if (currentWorkspace.WorkspaceId is not { } workspaceId)
        {
            return; // Start-up seeding sets workspace ids itself.
        }

        foreach (var entry in ChangeTracker.Entries<IWorkspaceOwned>())
        {
            if (entry.State == EntityState.Added && entry.Entity.WorkspaceId == Guid.Empty)
            {
                entry.Entity.WorkspaceId = workspaceId;
            }

            if (entry.State is EntityState.Added or EntityState.Modified or EntityState.Deleted && entry.Entity.WorkspaceId != workspaceId)
            {
                throw new InvalidOperationException("A request tried to write a record of another workspace.");
            }
        }
    }
}
