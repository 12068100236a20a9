using System.Security.Cryptography;
using AlyAspire.AuthServer.Infrastructure;
using AlyAspire.Shared.Scopes;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace AlyAspire.AuthServer.People;

public sealed record WorkspaceMembership(Guid WorkspaceId, string WorkspaceName, string Role);

/// <summary>People, workspaces and memberships: sign-in checks, sign-up, invitations and removal.</summary>
public sealed class AccountService(AuthDbContext db, IPasswordHasher<User> hasher, TimeProvider time)
{
    public const int MinimumPasswordLength = 10;

    /// <summary>The user whose password matches, or null. Unknown e-mails cost a hash too, so timing tells nothing.</summary>
    public async Task<User?> VerifyPasswordAsync(string email, string password, CancellationToken ct)
    {
        var user = await db.Users.SingleOrDefaultAsync(u => u.NormalizedEmail == User.Normalize(email), ct);
        if (user is null)
        {
            hasher.VerifyHashedPassword(new User { Email = "", NormalizedEmail = "", PasswordHash = "" }, DummyHash, password);
            return null;
        }

        var result = hasher.VerifyHashedPassword(user, user.PasswordHash, password);
        if (result == PasswordVerificationResult.Failed)
        {
            return null;
        }

        if (result == PasswordVerificationResult.SuccessRehashNeeded)
        {
            user.PasswordHash = hasher.HashPassword(user, password);
            await db.SaveChangesAsync(ct);
        }

        return user;
    }

    public async Task<IReadOnlyList<WorkspaceMembership>> MembershipsAsync(Guid userId, CancellationToken ct) =>
        await db.Memberships.AsNoTracking()
            .Where(m => m.UserId == userId)
            .OrderBy(m => m.CreatedAt)
            .Select(m => new WorkspaceMembership(m.WorkspaceId, m.Workspace.Name, m.Role))
            .ToListAsync(ct);

    public async Task<bool> EmailTakenAsync(string email, CancellationToken ct) =>
        await db.Users.AnyAsync(u => u.NormalizedEmail == User.Normalize(email), ct);

    /// <summary>Creates a person with a new workspace they own (sign-up).</summary>
    public async Task<(User User, Workspace Workspace)> SignUpAsync(string email, string password, string workspaceName, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var user = NewUser(email, now);
        user.PasswordHash = hasher.HashPassword(user, password);
        var workspace = new Workspace { Id = Guid.CreateVersion7(now), Name = workspaceName.Trim(), CreatedAt = now };
        db.Users.Add(user);
        db.Workspaces.Add(workspace);
        db.Memberships.Add(new Membership { UserId = user.Id, WorkspaceId = workspace.Id, Role = WorkspaceRoles.Owner, CreatedAt = now });
        await db.SaveChangesAsync(ct);
        return (user, workspace);
    }

    public async Task<IReadOnlyList<(Guid UserId, string Email, string Role, DateTimeOffset Since)>> MembersAsync(Guid workspaceId, CancellationToken ct)
    {
        var rows = await db.Memberships.AsNoTracking()
            .Where(m => m.WorkspaceId == workspaceId)
            .OrderBy(m => m.CreatedAt)
            .Select(m => new { m.UserId, m.User.Email, m.Role, m.CreatedAt })
            .ToListAsync(ct);
        return rows.Select(r => (r.UserId, r.Email, r.Role, r.CreatedAt)).ToList();
    }

    /// <summary>
    /// Adds a person to the workspace. Someone without an account gets one with a one-time password, returned
    /// here to be shown once to the inviting owner; an existing account just gains the membership.
    /// </summary>
    public async Task<InvitationResult> InviteAsync(Guid workspaceId, string email, string role, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var user = await db.Users.SingleOrDefaultAsync(u => u.NormalizedEmail == User.Normalize(email), ct);
        string? oneTimePassword = null;
        if (user is null)
        {
            user = NewUser(email, now);
            oneTimePassword = GeneratePassword();
            user.PasswordHash = hasher.HashPassword(user, oneTimePassword);
            db.Users.Add(user);
        }
        else if (await db.Memberships.AnyAsync(m => m.WorkspaceId == workspaceId && m.UserId == user.Id, ct))
        {
            return new InvitationResult(InvitationOutcome.AlreadyMember, null);
        }

        db.Memberships.Add(new Membership { WorkspaceId = workspaceId, UserId = user.Id, Role = role, CreatedAt = now });
        await db.SaveChangesAsync(ct);
        return new InvitationResult(oneTimePassword is null ? InvitationOutcome.Added : InvitationOutcome.Created, oneTimePassword);
    }

    /// <summary>Removes a member; the last owner cannot be removed, so a workspace always has someone in charge.</summary>
    public async Task<bool> RemoveAsync(Guid workspaceId, Guid userId, CancellationToken ct)
    {
        var membership = await db.Memberships.SingleOrDefaultAsync(m => m.WorkspaceId == workspaceId && m.UserId == userId, ct);
        if (membership is null)
        {
            return false;
        }

        if (membership.Role == WorkspaceRoles.Owner
            && await db.Memberships.CountAsync(m => m.WorkspaceId == workspaceId && m.Role == WorkspaceRoles.Owner, ct) == 1)
        {
            return false;
        }

        db.Memberships.Remove(membership);
        // The keys agents minted for them go with the membership (same transaction; delivered by KeyRevocationDelivery).
        db.KeyRevocationOutbox.Add(KeyRevocationRequest.ForPersonLeaving(workspaceId, userId, time.GetUtcNow()));
        await db.SaveChangesAsync(ct);
        return true;
    }

    private static User NewUser(string email, DateTimeOffset now) => new()
    {
        Id = Guid.CreateVersion7(now),
        Email = email.Trim(),
        NormalizedEmail = User.Normalize(email),
        PasswordHash = string.Empty,
        CreatedAt = now,
    };

    private static string GeneratePassword() =>
        RandomNumberGenerator.GetString("ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789", 20);

    private static readonly string DummyHash = new PasswordHasher<User>().HashPassword(
        new User { Email = "", NormalizedEmail = "", PasswordHash = "" }, Guid.NewGuid().ToString());
}

public enum InvitationOutcome
{
    Created,
    Added,
    AlreadyMember,
}

public sealed record InvitationResult(InvitationOutcome Outcome, string? OneTimePassword);
