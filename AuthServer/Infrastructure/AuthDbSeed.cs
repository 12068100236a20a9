using AlyAspire.AuthServer.OAuth;
using AlyAspire.Shared.Development;
using AlyAspire.Shared.Scopes;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using OpenIddict.Abstractions;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace AlyAspire.AuthServer.Infrastructure;

/// <summary>
/// Runs after the migrations: registers the resource servers as introspecting clients (every environment)
/// and, in Development only, a "Demo Store" workspace with its owner plus a second workspace the owner is
/// not in (to see isolation).
/// </summary>
public static class AuthDbSeed
{
    /// <summary>Owner of the second workspace; same password as the demo owner.</summary>
    public const string OtherOwnerEmail = "owner@other.store";

    public static async Task SeedAsync(AuthDbContext db, IServiceProvider services, CancellationToken ct)
    {
        await SeedResourceServersAsync(services, ct);

        if (services.GetRequiredService<IHostEnvironment>().IsDevelopment())
        {
            var configuration = services.GetRequiredService<IConfiguration>();
            var password = configuration["DevSeed:OwnerPassword"] ?? DemoWorkspace.DefaultOwnerPassword;
            var hasher = services.GetRequiredService<IPasswordHasher<User>>();
            var time = services.GetRequiredService<TimeProvider>();
            // Fixed ids, so the StorefrontApi's demo data belongs to these workspaces.
            await SeedWorkspaceAsync(db, hasher, time, DemoWorkspace.Id, DemoWorkspace.Name,
                configuration["DevSeed:OwnerEmail"] ?? DemoWorkspace.DefaultOwnerEmail, password, ct);
            await SeedWorkspaceAsync(db, hasher, time, DemoWorkspace.OtherId, DemoWorkspace.OtherName, OtherOwnerEmail, password, ct);
        }
    }

    private static async Task SeedResourceServersAsync(IServiceProvider services, CancellationToken ct)
    {
        var applications = services.GetRequiredService<IOpenIddictApplicationManager>();
        var configuration = services.GetRequiredService<IConfiguration>();
        foreach (var clientId in services.GetRequiredService<IOptions<OAuthServerOptions>>().Value.ResourceServerClients)
        {
            // Each resource server's introspection secret is its own (an AppHost secret parameter), not a service credential.
            var secret = configuration[OAuthServerOptions.ResourceServerSecretKey(clientId)];
            if (string.IsNullOrEmpty(secret))
            {
                continue;
            }

            var descriptor = new OpenIddictApplicationDescriptor
            {
                ClientId = clientId,
                ClientSecret = secret,
                ClientType = ClientTypes.Confidential,
                DisplayName = $"Resource server {clientId}",
                Permissions = { Permissions.Endpoints.Introspection },
            };

            // The secret can change between runs: the registration always carries the current one.
            var existing = await applications.FindByClientIdAsync(clientId, ct);
            if (existing is null)
            {
                await applications.CreateAsync(descriptor, ct);
            }
            else
            {
                await applications.UpdateAsync(existing, descriptor, ct);
            }
        }
    }

    private static async Task SeedWorkspaceAsync(AuthDbContext db, IPasswordHasher<User> hasher, TimeProvider time,
        Guid workspaceId, string workspaceName, string email, string password, CancellationToken ct)
    {
        if (await db.Workspaces.AnyAsync(w => w.Id == workspaceId, ct) || await db.Users.AnyAsync(u => u.NormalizedEmail == User.Normalize(email), ct))
        {
            // Seeded before e-mail verification existed: the seeded owners count as verified.
            await db.Users.Where(u => u.NormalizedEmail == User.Normalize(email) && u.EmailVerifiedAt == null)
                .ExecuteUpdateAsync(s => s.SetProperty(u => u.EmailVerifiedAt, time.GetUtcNow()), ct);
            return;
        }

        var now = time.GetUtcNow();
        // Seeded people are known to read their mail: pre-verified.
        var user = new User { Id = Guid.CreateVersion7(now), Email = email, NormalizedEmail = User.Normalize(email), PasswordHash = "", CreatedAt = now, EmailVerifiedAt = now };
        user.PasswordHash = hasher.HashPassword(user, password);
        var workspace = new Workspace { Id = workspaceId, Name = workspaceName, CreatedAt = now };
        db.AddRange(user, workspace, new Membership { UserId = user.Id, WorkspaceId = workspace.Id, Role = WorkspaceRoles.Owner, CreatedAt = now });
        await db.SaveChangesAsync(ct);
    }
}
