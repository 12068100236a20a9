using AlyAspire.AuthServer.Email;
using AlyAspire.AuthServer.Infrastructure;
using AlyAspire.AuthServer.Outbox;
using AlyAspire.Shared.Scopes;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace AlyAspire.AuthServer.People;

public sealed record WorkspaceMembership(Guid WorkspaceId, string WorkspaceName, string Role);

/// <summary>
/// People and their credentials: sign-in checks, sign-up with e-mail verification, password change and reset.
/// Every answer that could tell whether an e-mail has an account reads the same either way; what differs goes
/// into the mail, which only the address's owner reads.
/// </summary>
public sealed class AccountService(
    AuthDbContext db,
    IPasswordHasher<User> hasher,
    MailOutbox mail,
    OutboxWriter outbox,
    OutboxDispatcher dispatcher,
    IOptions<AccountOptions> options,
    TimeProvider time)
{
    public const int MinimumPasswordLength = 10;

    /// <summary>How long a request waits for its mail to leave before answering (it is sent later otherwise).</summary>
    private static readonly TimeSpan MailWait = TimeSpan.FromSeconds(3);

    /// <summary>The user whose password matches, or null. Unknown e-mails cost a hash too, so timing tells nothing.</summary>
    public async Task<User?> VerifyPasswordAsync(string email, string password, CancellationToken ct)
    {
        var user = await db.Users.SingleOrDefaultAsync(u => u.NormalizedEmail == User.Normalize(email), ct);
        if (user is null)
        {
            hasher.VerifyHashedPassword(DummyUser, DummyHash, password);
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

    public async Task<User?> FindAsync(Guid userId, CancellationToken ct) =>
        await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.Id == userId, ct);

    public async Task<bool> IsEmailVerifiedAsync(Guid userId, CancellationToken ct) =>
        await db.Users.AnyAsync(u => u.Id == userId && u.EmailVerifiedAt != null, ct);

    public async Task<IReadOnlyList<WorkspaceMembership>> MembershipsAsync(Guid userId, CancellationToken ct) =>
        await db.Memberships.AsNoTracking()
            .Where(m => m.UserId == userId)
            .OrderBy(m => m.CreatedAt)
            .Select(m => new WorkspaceMembership(m.WorkspaceId, m.Workspace.Name, m.Role))
            .ToListAsync(ct);

    /// <summary>
    /// Sign-up. A new e-mail gets an unverified account owning a new workspace, and a verification link; an e-mail
    /// that has an account gets a note saying so (with the way to reset the password). The caller learns neither.
    /// </summary>
    public async Task SignUpAsync(string email, string password, string workspaceName, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var user = NewUser(email, now);
        // Hashed either way, so an existing e-mail answers as slowly as a new one.
        user.PasswordHash = hasher.HashPassword(user, password);
        if (await db.Users.AnyAsync(u => u.NormalizedEmail == user.NormalizedEmail, ct))
        {
            mail.Add(AccountMails.AlreadyRegistered(user.Email, options.Value));
            await db.SaveChangesAsync(ct);
            await DeliverMailAsync(ct);
            return;
        }

        var workspace = NewWorkspace(workspaceName, now);
        db.Users.Add(user);
        db.Workspaces.Add(workspace);
        db.Memberships.Add(new Membership { UserId = user.Id, WorkspaceId = workspace.Id, Role = WorkspaceRoles.Owner, CreatedAt = now });
        var token = AddToken(user.Id, AccountTokenPurpose.VerifyEmail, options.Value.VerificationLinkLifetime, now);
        mail.Add(AccountMails.Verify(user.Email, token, options.Value));
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            // Someone signed up with the same e-mail a moment earlier: answer as for an existing account.
            db.ChangeTracker.Clear();
            mail.Add(AccountMails.AlreadyRegistered(user.Email, options.Value));
            await db.SaveChangesAsync(ct);
        }

        await DeliverMailAsync(ct);
    }

    /// <summary>A new verification link for a signed-in person whose e-mail is not verified yet (earlier links stay valid until they expire).</summary>
    public async Task ResendVerificationAsync(Guid userId, CancellationToken ct)
    {
        var user = await db.Users.SingleOrDefaultAsync(u => u.Id == userId, ct);
        if (user is null || user.EmailVerifiedAt is not null)
        {
            return;
        }

        var token = AddToken(user.Id, AccountTokenPurpose.VerifyEmail, options.Value.VerificationLinkLifetime, time.GetUtcNow());
        mail.Add(AccountMails.Verify(user.Email, token, options.Value));
        await db.SaveChangesAsync(ct);
        await DeliverMailAsync(ct);
    }

    /// <summary>Spends a verification link; the verified person, or null when the link is unknown, used or expired.</summary>
    public async Task<User?> VerifyEmailAsync(string token, CancellationToken ct)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var user = await SpendTokenAsync(token, AccountTokenPurpose.VerifyEmail, ct);
        if (user is null)
        {
            return null;
        }

        user.EmailVerifiedAt ??= time.GetUtcNow();
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return user;
    }

    /// <summary>Mails a reset link when the e-mail has an account; says nothing either way.</summary>
    public async Task RequestPasswordResetAsync(string email, CancellationToken ct)
    {
        var user = await db.Users.SingleOrDefaultAsync(u => u.NormalizedEmail == User.Normalize(email), ct);
        if (user is null)
        {
            return;
        }

        var token = AddToken(user.Id, AccountTokenPurpose.ResetPassword, options.Value.ResetLinkLifetime, time.GetUtcNow());
        mail.Add(AccountMails.Reset(user.Email, token, options.Value));
        await db.SaveChangesAsync(ct);
        await DeliverMailAsync(ct);
    }

    /// <summary>Whether a reset link can still be used (the reset page shows its form only then).</summary>
    public async Task<bool> IsUsableAsync(string token, AccountTokenPurpose purpose, CancellationToken ct)
    {
        if (!LinkTokens.LooksValid(token))
        {
            return false;
        }

        var hash = LinkTokens.Hash(token);
        var now = time.GetUtcNow();
        return await db.AccountTokens.AnyAsync(t => t.TokenHash == hash && t.Purpose == purpose && t.UsedAt == null && t.ExpiresAt > now, ct);
    }

    /// <summary>
    /// Sets a new password from a reset link and ends every session of the account (the session version moves on);
    /// the link proves the mailbox, so the e-mail counts as verified. False when the link cannot be used.
    /// </summary>
    public async Task<bool> ResetPasswordAsync(string token, string newPassword, CancellationToken ct)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var user = await SpendTokenAsync(token, AccountTokenPurpose.ResetPassword, ct);
        if (user is null)
        {
            return false;
        }

        var now = time.GetUtcNow();
        SetPassword(user, newPassword);
        user.EmailVerifiedAt ??= now;
        // Every other reset link of the account dies with this one.
        await db.AccountTokens
            .Where(t => t.UserId == user.Id && t.Purpose == AccountTokenPurpose.ResetPassword && t.UsedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.UsedAt, now), ct);
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return true;
    }

    /// <summary>Changes the password of a signed-in person; other sessions end. Null when the current password is wrong.</summary>
    public async Task<User?> ChangePasswordAsync(Guid userId, string currentPassword, string newPassword, CancellationToken ct)
    {
        var user = await db.Users.SingleOrDefaultAsync(u => u.Id == userId, ct);
        if (user is null || hasher.VerifyHashedPassword(user, user.PasswordHash, currentPassword) == PasswordVerificationResult.Failed)
        {
            return null;
        }

        SetPassword(user, newPassword);
        await db.SaveChangesAsync(ct);
        return user;
    }

    /// <summary>A new workspace owned by the person (the dashboard's "new workspace").</summary>
    public async Task<Workspace> CreateWorkspaceAsync(Guid userId, string name, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var workspace = NewWorkspace(name, now);
        db.Workspaces.Add(workspace);
        db.Memberships.Add(new Membership { UserId = userId, WorkspaceId = workspace.Id, Role = WorkspaceRoles.Owner, CreatedAt = now });
        await db.SaveChangesAsync(ct);
        return workspace;
    }

    private void SetPassword(User user, string password)
    {
        user.PasswordHash = hasher.HashPassword(user, password);
        user.SessionVersion++;
    }

    private async Task<User?> SpendTokenAsync(string token, AccountTokenPurpose purpose, CancellationToken ct)
    {
        if (!LinkTokens.LooksValid(token))
        {
            return null;
        }

        var hash = LinkTokens.Hash(token);
        var now = time.GetUtcNow();
        var row = await db.AccountTokens.AsNoTracking().SingleOrDefaultAsync(t => t.TokenHash == hash && t.Purpose == purpose, ct);
        // Single use even under a race: only the request whose update changes the row may go on.
        if (row is null || await db.AccountTokens
                .Where(t => t.Id == row.Id && t.UsedAt == null && t.ExpiresAt > now)
                .ExecuteUpdateAsync(s => s.SetProperty(t => t.UsedAt, now), ct) != 1)
        {
            return null;
        }

        return await db.Users.SingleOrDefaultAsync(u => u.Id == row.UserId, ct);
    }

    private string AddToken(Guid userId, AccountTokenPurpose purpose, TimeSpan lifetime, DateTimeOffset now)
    {
        var (token, hash) = LinkTokens.Create();
        db.AccountTokens.Add(new AccountToken
        {
            Id = Guid.CreateVersion7(now),
            UserId = userId,
            Purpose = purpose,
            TokenHash = hash,
            CreatedAt = now,
            ExpiresAt = now + lifetime,
        });
        return token;
    }

    private async Task DeliverMailAsync(CancellationToken ct) => await dispatcher.DeliverNowAsync(outbox.Added, MailWait, ct);

    internal static User NewUser(string email, DateTimeOffset now) => new()
    {
        Id = Guid.CreateVersion7(now),
        Email = email.Trim(),
        NormalizedEmail = User.Normalize(email),
        PasswordHash = string.Empty,
        CreatedAt = now,
    };

    private static Workspace NewWorkspace(string name, DateTimeOffset now) =>
        new() { Id = Guid.CreateVersion7(now), Name = name.Trim(), CreatedAt = now };

    private static readonly User DummyUser = new() { Email = "", NormalizedEmail = "", PasswordHash = "" };

    private static readonly string DummyHash = new PasswordHasher<User>().HashPassword(DummyUser, Guid.NewGuid().ToString());
}
