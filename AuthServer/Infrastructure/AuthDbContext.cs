using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;

namespace AlyAspire.AuthServer.Infrastructure;

/// <summary>
/// People, workspaces and memberships, machine clients, OpenIddict's applications, authorizations and tokens
/// (<c>UseOpenIddict()</c> in the registration), the server's certificates and the data-protection keys
/// (antiforgery), all in <c>authdb</c>.
/// </summary>
public sealed class AuthDbContext(DbContextOptions<AuthDbContext> options) : DbContext(options), IDataProtectionKeyContext
{
    public DbSet<User> Users => Set<User>();

    public DbSet<Workspace> Workspaces => Set<Workspace>();

    public DbSet<Membership> Memberships => Set<Membership>();

    public DbSet<AccountToken> AccountTokens => Set<AccountToken>();

    public DbSet<Invitation> Invitations => Set<Invitation>();

    public DbSet<OutboxMessage> OutboxMessages => Set<OutboxMessage>();

    public DbSet<MachineClient> MachineClients => Set<MachineClient>();

    public DbSet<ServerCertificate> ServerCertificates => Set<ServerCertificate>();

    public DbSet<ServerTokenKey> ServerTokenKeys => Set<ServerTokenKey>();

    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();


    public DbSet<AuditEvent> AuditEvents => Set<AuditEvent>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        base.OnModelCreating(modelBuilder);
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(AuthDbContext).Assembly);
    }
}
