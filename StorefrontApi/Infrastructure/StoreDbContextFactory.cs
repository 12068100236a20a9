using AlyAspire.StorefrontApi.Application;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace AlyAspire.StorefrontApi.Infrastructure;

/// <summary>For <c>dotnet ef</c> only: builds the model without a running host or database.</summary>
internal sealed class StoreDbContextFactory : IDesignTimeDbContextFactory<StoreDbContext>
{
    public StoreDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<StoreDbContext>().UseNpgsql("Host=localhost;Database=storedb").Options, new NoWorkspace());

    private sealed class NoWorkspace : ICurrentWorkspace
    {
        public Guid? WorkspaceId => null;
        public string Actor => "design-time";
        public IReadOnlyList<string> Scopes => [];
    }
}
