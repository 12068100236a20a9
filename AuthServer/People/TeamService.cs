using AlyAspire.AuthServer.Audit;
using AlyAspire.AuthServer.Infrastructure;
using AlyAspire.AuthServer.OAuth;
using AlyAspire.AuthServer.Outbox;
using AlyAspire.Shared.Audit;
using AlyAspire.Shared.Credentials;
using AlyAspire.Shared.Scopes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using OpenIddict.EntityFrameworkCore.Models;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace AlyAspire.AuthServer.People;

/// <summary>
/// Who acts on a team: a person and their current role in the workspace (never a role they claim), or, with
/// <see cref="Guid.Empty"/>, an API key acting with the role the internal API gives keys.
/// </summary>
/// <summary>
/// Who changes the team, with the authority they have now (<see cref="Role"/>) and how the audit log names them: a person
/// (<see cref="UserId"/>), an OAuth agent acting for one (the person's id, the grant's credential in the log), or an API
/// key (no person).
/// </summary>
public sealed record TeamActor(Guid UserId, string Role, string AuditKind, string AuditId)
{
    public static TeamActor Person(Guid userId, string role) => new(userId, role, AuditActorKinds.Person, $"user:{userId}");

    public static TeamActor OAuthAgent(Guid personId, string role, string credentialId) =>
        new(personId, role, AuditActorKinds.OAuthClient, $"oauth:{credentialId}");

    /// <summary>Keys with <c>manage:team</c> are minted by owners, but act as an admin.</summary>
    public static TeamActor ApiKey(string credentialId) => new(Guid.Empty, WorkspaceRoles.Admin, AuditActorKinds.ApiKey, $"key:{credentialId}");

    public bool IsPerson(Guid userId) => UserId != Guid.Empty && UserId == userId;
}

public sealed record TeamMember(Guid UserId, string Email, string Role, DateTimeOffset Since);

public sealed record PendingInvitation(Guid Id, string Email, string Role, DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt);

/// <summary>What an invitation link offers, shown before it is accepted.</summary>
public sealed record InvitationOffer(Guid WorkspaceId, string WorkspaceName, string Email, string Role);

public enum TeamOutcome
{
    Done,
    /// <summary>The actor's role does not allow it (an admin and an owner, anyone but an owner and roles).</summary>
    NotAllowed,
    NotFound,
    /// <summary>It would leave the workspace without an owner.</summary>
    LastOwner,
    AlreadyMember,
}

public enum AcceptOutcome
{
    Accepted,
    /// <summary>Unknown, used, revoked or expired.</summary>
    Unusable,
    /// <summary>The link was sent to another e-mail than the signed-in person's.</summary>
    OtherAccount,
    NotVerified,
    AlreadyMember,
}

/// <summary>What each role may do to a team. Owners do everything; admins manage everyone but owners; members nothing.</summary>
public static class TeamRules
{
    public static bool CanManage(string actorRole) => actorRole is WorkspaceRoles.Owner or WorkspaceRoles.Admin;

    /// <summary>Invite as, or act on someone holding, <paramref name="role"/>.</summary>
    public static bool CanHandle(string actorRole, string role) =>
        actorRole == WorkspaceRoles.Owner || (actorRole == WorkspaceRoles.Admin && role != WorkspaceRoles.Owner);

    public static bool CanChangeRoles(string actorRole) => actorRole == WorkspaceRoles.Owner;

    /// <summary>Whether <paramref name="to"/> permits less than <paramref name="from"/> (then the person's grants go).</summary>
    public static bool Lowers(string from, string to) => WorkspaceRoles.ScopesFor(from).Except(WorkspaceRoles.ScopesFor(to)).Any();
}

/// <summary>
/// The one home of membership changes: invitations (pending until the invitee accepts), role changes and removal.
/// Changes that touch owners run under a lock on the workspace row, so two owners removing each other at once
/// cannot leave none. Losing a membership or a role withdraws the person's OAuth grants in the workspace in the
/// same transaction, with their revocation markers in the outbox (<see cref="WithdrawAccessAsync"/>).
/// </summary>
public sealed class TeamService(
    AuthDbContext db,
    OutboxWriter outbox,
    MailOutbox mail,
    OutboxDispatcher dispatcher,
    IOptions<AccountOptions> options,
    AuditTrail audit,
    TimeProvider time)
{
    /// <summary>How long a change waits for its side effects before answering; later the outbox keeps trying.</summary>
    private static readonly TimeSpan DeliveryWait = TimeSpan.FromSeconds(3);

    public async Task<IReadOnlyList<TeamMember>> MembersAsync(Guid workspaceId, CancellationToken ct) =>
        await db.Memberships.AsNoTracking()
            .Where(m => m.WorkspaceId == workspaceId)
            .OrderBy(m => m.CreatedAt)
            .Select(m => new TeamMember(m.UserId, m.User.Email, m.Role, m.CreatedAt))
            .ToListAsync(ct);

    /// <summary>The person's current role in the workspace, or null when they are not a member.</summary>
    public async Task<string?> RoleOfAsync(Guid workspaceId, Guid userId, CancellationToken ct) =>
        await db.Memberships.AsNoTracking().Where(m => m.WorkspaceId == workspaceId && m.UserId == userId).Select(m => m.Role).SingleOrDefaultAsync(ct);

    public async Task<IReadOnlyList<PendingInvitation>> PendingInvitationsAsync(Guid workspaceId, CancellationToken ct) =>
        await db.Invitations.AsNoTracking()
            .Where(i => i.WorkspaceId == workspaceId && i.AcceptedAt == null && i.RevokedAt == null)
            .OrderBy(i => i.CreatedAt)
            .Select(i => new PendingInvitation(i.Id, i.Email, i.Role, i.CreatedAt, i.ExpiresAt))
            .ToListAsync(ct);

    /// <summary>
    /// Invites an e-mail with a role: a mailed link, pending until accepted. Inviting an e-mail with a pending
    /// invitation sends it again with the new role. Whether the e-mail has an account changes nothing here.
    /// </summary>
    public async Task<TeamOutcome> InviteAsync(TeamActor actor, Guid workspaceId, string email, string role, CancellationToken ct)
    {
        if (!TeamRules.CanManage(actor.Role) || !TeamRules.CanHandle(actor.Role, role))
        {
            return TeamOutcome.NotAllowed;
        }

        var normalized = User.Normalize(email);
        if (await db.Memberships.AnyAsync(m => m.WorkspaceId == workspaceId && m.User.NormalizedEmail == normalized, ct))
        {
            return TeamOutcome.AlreadyMember;
        }

        var now = time.GetUtcNow();
        var invitation = await db.Invitations.SingleOrDefaultAsync(
            i => i.WorkspaceId == workspaceId && i.NormalizedEmail == normalized && i.AcceptedAt == null && i.RevokedAt == null, ct);
        if (invitation is not null && !TeamRules.CanHandle(actor.Role, invitation.Role))
        {
            return TeamOutcome.NotAllowed;
        }

        if (invitation is null)
        {
            invitation = new Invitation
            {
                Id = Guid.CreateVersion7(now),
                WorkspaceId = workspaceId,
                Email = email.Trim(),
                NormalizedEmail = normalized,
                Role = role,
                TokenHash = [],
                CreatedAt = now,
            };
            db.Invitations.Add(invitation);
        }

        invitation.Role = role;
        invitation.InvitedBy = actor.UserId;
        await SendAsync(invitation, workspaceId, now, ct);
        Audit(actor, workspaceId, AuditKinds.InvitationSent, invitation.Email, $"role {role}");
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            // The same e-mail was invited a moment earlier by someone else: that invitation stands.
            db.ChangeTracker.Clear();
            return TeamOutcome.Done;
        }

        await dispatcher.DeliverNowAsync(outbox.Added, DeliveryWait, ct);
        return TeamOutcome.Done;
    }

    /// <summary>Mails a pending invitation again with a new link (the old one stops working) and a new 7-day term.</summary>
    public async Task<TeamOutcome> ResendInvitationAsync(TeamActor actor, Guid workspaceId, Guid invitationId, CancellationToken ct)
    {
        var invitation = await PendingAsync(workspaceId, invitationId, ct);
        if (invitation is null)
        {
            return TeamOutcome.NotFound;
        }

        if (!TeamRules.CanManage(actor.Role) || !TeamRules.CanHandle(actor.Role, invitation.Role))
        {
            return TeamOutcome.NotAllowed;
        }

        await SendAsync(invitation, workspaceId, time.GetUtcNow(), ct);
        Audit(actor, workspaceId, AuditKinds.InvitationSent, invitation.Email, $"re-sent, role {invitation.Role}");
        await db.SaveChangesAsync(ct);
        await dispatcher.DeliverNowAsync(outbox.Added, DeliveryWait, ct);
        return TeamOutcome.Done;
    }

    public async Task<TeamOutcome> RevokeInvitationAsync(TeamActor actor, Guid workspaceId, Guid invitationId, CancellationToken ct)
    {
        var invitation = await PendingAsync(workspaceId, invitationId, ct);
        if (invitation is null)
        {
            return TeamOutcome.NotFound;
        }

        if (!TeamRules.CanManage(actor.Role) || !TeamRules.CanHandle(actor.Role, invitation.Role))
        {
            return TeamOutcome.NotAllowed;
        }

        invitation.RevokedAt = time.GetUtcNow();
        Audit(actor, workspaceId, AuditKinds.InvitationRevoked, invitation.Email);
        await db.SaveChangesAsync(ct);
        return TeamOutcome.Done;
    }

    /// <summary>What a usable invitation link offers; null when it is unknown, used, revoked or expired.</summary>
    public async Task<InvitationOffer?> FindOfferAsync(string token, CancellationToken ct)
    {
        if (!LinkTokens.LooksValid(token))
        {
            return null;
        }

        var hash = LinkTokens.Hash(token);
        var now = time.GetUtcNow();
        return await db.Invitations.AsNoTracking()
            .Where(i => i.TokenHash == hash && i.AcceptedAt == null && i.RevokedAt == null && i.ExpiresAt > now)
            .Select(i => new InvitationOffer(i.WorkspaceId, i.Workspace.Name, i.Email, i.Role))
            .SingleOrDefaultAsync(ct);
    }

    /// <summary>
    /// Accepts an invitation for the signed-in person: only with a verified account for exactly the invited e-mail,
    /// and only once. Only now does the person become a member.
    /// </summary>
    public async Task<AcceptOutcome> AcceptAsync(Guid userId, string token, CancellationToken ct)
    {
        if (!LinkTokens.LooksValid(token))
        {
            return AcceptOutcome.Unusable;
        }

        var hash = LinkTokens.Hash(token);
        var now = time.GetUtcNow();
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var invitation = await db.Invitations.FromSql($"""SELECT * FROM invitations WHERE "TokenHash" = {hash} FOR UPDATE""").SingleOrDefaultAsync(ct);
        if (invitation is null || invitation.AcceptedAt is not null || invitation.RevokedAt is not null || invitation.ExpiresAt <= now)
        {
            return AcceptOutcome.Unusable;
        }

        var user = await db.Users.AsNoTracking().SingleAsync(u => u.Id == userId, ct);
        if (user.NormalizedEmail != invitation.NormalizedEmail)
        {
            return AcceptOutcome.OtherAccount;
        }

        if (user.EmailVerifiedAt is null)
        {
            return AcceptOutcome.NotVerified;
        }

        invitation.AcceptedAt = now;
        invitation.AcceptedBy = userId;
        var alreadyMember = await db.Memberships.AnyAsync(m => m.WorkspaceId == invitation.WorkspaceId && m.UserId == userId, ct);
        if (!alreadyMember)
        {
            db.Memberships.Add(new Membership { WorkspaceId = invitation.WorkspaceId, UserId = userId, Role = invitation.Role, CreatedAt = now });
        }

        var invitee = TeamActor.Person(userId, invitation.Role);
        Audit(invitee, invitation.WorkspaceId, AuditKinds.InvitationAccepted, invitation.Email);
        if (!alreadyMember)
        {
            Audit(invitee, invitation.WorkspaceId, AuditKinds.MemberAdded, $"user:{userId}", $"role {invitation.Role}");
        }

        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return alreadyMember ? AcceptOutcome.AlreadyMember : AcceptOutcome.Accepted;
    }

    /// <summary>
    /// Changes a member's role (owners only). The last owner cannot be demoted; a role that permits less withdraws the
    /// person's grants in the workspace, which they can give again within the new role.
    /// </summary>
    public async Task<TeamOutcome> ChangeRoleAsync(TeamActor actor, Guid workspaceId, Guid userId, string role, CancellationToken ct)
    {
        if (!TeamRules.CanChangeRoles(actor.Role))
        {
            return TeamOutcome.NotAllowed;
        }

        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        await LockWorkspaceAsync(workspaceId, ct);
        if (!TeamRules.CanChangeRoles(await CurrentRoleAsync(workspaceId, actor.UserId, ct) ?? string.Empty))
        {
            return TeamOutcome.NotAllowed;
        }

        var membership = await db.Memberships.SingleOrDefaultAsync(m => m.WorkspaceId == workspaceId && m.UserId == userId, ct);
        if (membership is null)
        {
            return TeamOutcome.NotFound;
        }

        if (membership.Role == role)
        {
            return TeamOutcome.Done;
        }

        if (membership.Role == WorkspaceRoles.Owner && await IsLastOwnerAsync(workspaceId, ct))
        {
            return TeamOutcome.LastOwner;
        }

        var lowered = TeamRules.Lowers(membership.Role, role);
        Audit(actor, workspaceId, AuditKinds.RoleChanged, $"user:{userId}", $"{membership.Role} to {role}");
        membership.Role = role;
        if (lowered)
        {
            await WithdrawAccessAsync(workspaceId, userId, ct);
        }

        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        await dispatcher.DeliverNowAsync(outbox.Added, DeliveryWait, ct);
        return TeamOutcome.Done;
    }

    /// <summary>
    /// Removes a member (owners anyone, admins anyone but owners; the last owner never). The membership, the
    /// person's grants in the workspace and their revocation markers' outbox rows commit together; the markers are
    /// tried at once and retried until Redis takes them.
    /// </summary>
    public async Task<TeamOutcome> RemoveAsync(TeamActor actor, Guid workspaceId, Guid userId, CancellationToken ct)
    {
        if (!TeamRules.CanManage(actor.Role))
        {
            return TeamOutcome.NotAllowed;
        }

        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        await LockWorkspaceAsync(workspaceId, ct);
        // The actor's role as it is under the lock: one removed a moment ago (by a concurrent removal) acts no more.
        var actorRole = actor.UserId == Guid.Empty ? actor.Role : await CurrentRoleAsync(workspaceId, actor.UserId, ct);
        if (actorRole is null || !TeamRules.CanManage(actorRole))
        {
            return TeamOutcome.NotAllowed;
        }

        var membership = await db.Memberships.SingleOrDefaultAsync(m => m.WorkspaceId == workspaceId && m.UserId == userId, ct);
        if (membership is null)
        {
            return TeamOutcome.NotFound;
        }

        if (!TeamRules.CanHandle(actorRole, membership.Role))
        {
            return TeamOutcome.NotAllowed;
        }

        if (membership.Role == WorkspaceRoles.Owner && await IsLastOwnerAsync(workspaceId, ct))
        {
            return TeamOutcome.LastOwner;
        }

        db.Memberships.Remove(membership);
        Audit(actor, workspaceId, AuditKinds.MemberRemoved, $"user:{userId}", $"was {membership.Role}");
        await WithdrawAccessAsync(workspaceId, userId, ct);
        // The keys agents minted on their behalf go too.
        outbox.AddKeyRevocationForPersonLeaving(workspaceId, userId);
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        await dispatcher.DeliverNowAsync(outbox.Added, DeliveryWait, ct);
        return TeamOutcome.Done;
    }

    /// <summary>
    /// Everything a person loses with their membership or role in a workspace, inside the caller's transaction: their
    /// OAuth authorizations there and every token issued under them are revoked in authdb, and the authorizations'
    /// revocation markers are queued in the outbox. Further side effects of a departure are queued here as well.
    /// </summary>
    private async Task WithdrawAccessAsync(Guid workspaceId, Guid userId, CancellationToken ct)
    {
        var subject = userId.ToString();
        var workspace = workspaceId.ToString();
        var candidates = await db.Set<OpenIddictEntityFrameworkCoreAuthorization>().AsNoTracking()
            .Where(a => a.Subject == subject && a.Properties != null && a.Properties.Contains(workspace))
            .Select(a => new { a.Id, a.Properties })
            .ToListAsync(ct);
        var ids = candidates.Where(a => AuthorizationWorkspace.Parse(a.Properties) == workspaceId).Select(a => a.Id!).ToList();
        if (ids.Count == 0)
        {
            return;
        }

        await db.Set<OpenIddictEntityFrameworkCoreAuthorization>()
            .Where(a => ids.Contains(a.Id!))
            .ExecuteUpdateAsync(s => s.SetProperty(a => a.Status, Statuses.Revoked), ct);
        await db.Set<OpenIddictEntityFrameworkCoreToken>()
            .Where(t => t.Authorization != null && ids.Contains(t.Authorization.Id!))
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.Status, Statuses.Revoked), ct);
        // One authorization marker covers every token issued under it, cached or not.
        outbox.AddMarkers(ids.Select(RevocationSignals.OAuthAuthorization).ToList());
        // Keys agents minted under those grants die with them.
        foreach (var id in ids)
        {
            outbox.AddKeyRevocationForGrant(id);
        }
    }

    private async Task SendAsync(Invitation invitation, Guid workspaceId, DateTimeOffset now, CancellationToken ct)
    {
        var (token, hash) = LinkTokens.Create();
        invitation.TokenHash = hash;
        invitation.ExpiresAt = now + options.Value.InvitationLifetime;
        var workspaceName = await db.Workspaces.Where(w => w.Id == workspaceId).Select(w => w.Name).SingleAsync(ct);
        mail.Add(AccountMails.Invitation(invitation.Email, workspaceName, invitation.Role, token, options.Value));
    }

    /// <summary>A membership change in the workspace's audit log, committed with the change (same unit of work).</summary>
    private void Audit(TeamActor actor, Guid workspaceId, string kind, string target, string? detail = null) =>
        audit.Add(workspaceId, kind, actor.AuditKind, actor.AuditId, target, AuditOutcomes.Succeeded, detail);

    private async Task<Invitation?> PendingAsync(Guid workspaceId, Guid invitationId, CancellationToken ct) =>
        await db.Invitations.SingleOrDefaultAsync(i => i.Id == invitationId && i.WorkspaceId == workspaceId && i.AcceptedAt == null && i.RevokedAt == null, ct);

    /// <summary>Serializes the workspace's membership changes: the owner count read next cannot change until commit.</summary>
    private async Task LockWorkspaceAsync(Guid workspaceId, CancellationToken ct) =>
        await db.Database.ExecuteSqlAsync($"""SELECT 1 FROM workspaces WHERE "Id" = {workspaceId} FOR UPDATE""", ct);

    private async Task<string?> CurrentRoleAsync(Guid workspaceId, Guid userId, CancellationToken ct) =>
        await db.Memberships.Where(m => m.WorkspaceId == workspaceId && m.UserId == userId).Select(m => m.Role).SingleOrDefaultAsync(ct);

    private async Task<bool> IsLastOwnerAsync(Guid workspaceId, CancellationToken ct) =>
        await db.Memberships.CountAsync(m => m.WorkspaceId == workspaceId && m.Role == WorkspaceRoles.Owner, ct) <= 1;
}
