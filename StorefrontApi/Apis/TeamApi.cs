using AlyAspire.Shared.Scopes;
using AlyAspire.StorefrontApi.Application;
using AlyAspire.StorefrontApi.Authentication;
using AlyAspire.StorefrontApi.Domain;
using AlyAspire.StorefrontApi.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace AlyAspire.StorefrontApi.Apis;

public sealed record TeamMemberView(Guid Id, string Email, string Role, string Status, string InvitedBy, DateTimeOffset InvitedAt);

public sealed record InviteTeamMemberRequest(string? Email, string? Role);

public static class TeamApi
{
    public static RouteGroupBuilder MapTeamApi(this RouteGroupBuilder merchant)
    {
        var team = merchant.MapGroup("/team").WithTags("Team");
        team.MapGet("/", ListMembers).RequireScope(ScopeCatalogue.ManageTeam).WithSummary("List teammates and pending invitations");
        team.MapPost("/invitations", Invite).RequireScope(ScopeCatalogue.ManageTeam).WithSummary("Invite a teammate as admin or member");
        team.MapDelete("/{id:guid}", Remove).RequireScope(ScopeCatalogue.ManageTeam).WithSummary("Remove a teammate or withdraw an invitation");
        return merchant;
    }

    public static async Task<Ok<List<TeamMemberView>>> ListMembers(StoreDbContext db, CancellationToken ct) =>
        TypedResults.Ok(await db.TeamMembers.AsNoTracking().OrderBy(m => m.InvitedAt)
            .Select(m => new TeamMemberView(m.Id, m.Email, m.Role, m.Status, m.InvitedBy, m.InvitedAt)).ToListAsync(ct));

    public static async Task<Results<Created<TeamMemberView>, ProblemHttpResult>> Invite(
        InviteTeamMemberRequest request, StoreDbContext db, ICurrentWorkspace workspace, ActivityFeed activity, TimeProvider time, CancellationToken ct)
    {
        var email = request.Email?.Trim().ToLowerInvariant();
        if (email is null || email.Length > 254 || email.IndexOf('@', StringComparison.Ordinal) is < 1 || email.EndsWith('@'))
        {
            return StoreResults.Invalid("email", "email must be an email address.");
        }

        // Ownership is transferred by the owner in the dashboard, never handed out by an agent.
        if (request.Role is not (WorkspaceRoles.Admin or WorkspaceRoles.Member))
        {
            return StoreResults.Invalid("role", $"role must be {WorkspaceRoles.Admin} or {WorkspaceRoles.Member}.");
        }

        if (await db.TeamMembers.AnyAsync(m => m.Email == email, ct))
        {
            return StoreResults.Conflict($"{email} is already on the team.");
        }

        var member = new TeamMember
        {
            Id = Guid.CreateVersion7(time.GetUtcNow()), Email = email, Role = request.Role, Status = TeamMemberStatus.Invited,
            InvitedBy = workspace.Actor, InvitedAt = time.GetUtcNow(),
        };
        db.TeamMembers.Add(member);
        activity.Record("team.invited", $"{email} invited as {request.Role}", member.Id);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            return StoreResults.Conflict($"{email} is already on the team.");
        }

        return TypedResults.Created($"{MerchantApi.BasePath}/team/{member.Id}",
            new TeamMemberView(member.Id, member.Email, member.Role, member.Status, member.InvitedBy, member.InvitedAt));
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> Remove(Guid id, StoreDbContext db, ActivityFeed activity, CancellationToken ct)
    {
        var member = await db.TeamMembers.FirstOrDefaultAsync(m => m.Id == id, ct);
        if (member is null)
        {
            return StoreResults.NotFound("The teammate was not found.");
        }

        if (member.Role == WorkspaceRoles.Owner)
        {
            return StoreResults.Conflict("The workspace owner cannot be removed.");
        }

        db.TeamMembers.Remove(member);
        activity.Record("team.removed", $"{member.Email} removed from the team", member.Id);
        await db.SaveChangesAsync(ct);
        return TypedResults.NoContent();
    }
}
