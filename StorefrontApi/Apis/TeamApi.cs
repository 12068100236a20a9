using AlyAspire.Shared.Scopes;
using AlyAspire.Shared.Team;
using AlyAspire.StorefrontApi.Application;
using AlyAspire.AgentGate;
using AlyAspire.StorefrontApi.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;

namespace AlyAspire.StorefrontApi.Apis;

/// <param name="Status"><c>active</c> for members, <c>invited</c> for pending invitations.</param>
public sealed record TeamMemberView(Guid Id, string Email, string Role, string Status, DateTimeOffset Since);

public sealed record InviteTeamMemberRequest(string? Email, string? Role);

/// <summary>
/// The workspace's team for agents: members and pending invitations as the AuthServer keeps them. Invitations are
/// mailed by the AuthServer and pending until the invitee accepts; agents never invite owners.
/// </summary>
public static class TeamApi
{
    public static RouteGroupBuilder MapTeamApi(this RouteGroupBuilder merchant)
    {
        var team = merchant.MapGroup("/team").WithTags("Team");
        team.MapGet("/", ListMembers).RequireScope(ScopeCatalogue.ManageTeam).WithSummary("List teammates and pending invitations");
        team.MapPost("/invitations", Invite).RequireScope(ScopeCatalogue.ManageTeam).WithSummary("Invite a teammate as admin or member (mailed; pending until accepted)");
        team.MapDelete("/{id:guid}", Remove).RequireScope(ScopeCatalogue.ManageTeam).WithSummary("Remove a teammate or withdraw an invitation");
        return merchant;
    }

    public static async Task<Ok<List<TeamMemberView>>> ListMembers(TeamDirectory team, CancellationToken ct) =>
        TypedResults.Ok((await team.ListAsync(ct)).Select(ToView).ToList());

    public static async Task<Results<Created<TeamMemberView>, ProblemHttpResult>> Invite(
        InviteTeamMemberRequest request, TeamDirectory team, ActivityFeed activity, StoreDbContext db, CancellationToken ct)
    {
        var email = request.Email?.Trim();
        if (email is null || email.Length > 254 || email.IndexOf('@', StringComparison.Ordinal) is < 1 || email.EndsWith('@'))
        {
            return StoreResults.Invalid("email", "email must be an email address.");
        }

        // Ownership is given by an owner in the dashboard, never handed out by an agent.
        if (request.Role is not (WorkspaceRoles.Admin or WorkspaceRoles.Member))
        {
            return StoreResults.Invalid("role", $"role must be {WorkspaceRoles.Admin} or {WorkspaceRoles.Member}.");
        }

        var (invitation, refusal) = await team.InviteAsync(email, request.Role, ct);
        if (refusal is not null)
        {
            return Problem(refusal);
        }

        activity.Record("team.invited", $"{invitation!.Email} invited as {invitation.Role}", invitation.Id);
        await db.SaveChangesAsync(ct);
        return TypedResults.Created($"{MerchantApi.BasePath}/team/{invitation.Id}", ToView(invitation));
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> Remove(Guid id, TeamDirectory team, ActivityFeed activity, StoreDbContext db, CancellationToken ct)
    {
        if (await team.RemoveAsync(id, ct) is { } refusal)
        {
            return Problem(refusal);
        }

        activity.Record("team.removed", "A teammate was removed or an invitation withdrawn", id);
        await db.SaveChangesAsync(ct);
        return TypedResults.NoContent();
    }

    private static TeamMemberView ToView(TeamMemberDto member) => new(member.Id, member.Email, member.Role, member.Status, member.Since);

    private static ProblemHttpResult Problem(TeamRefusal refusal) =>
        refusal.Status == StatusCodes.Status400BadRequest
            ? StoreResults.Invalid(new Dictionary<string, string[]>(), refusal.Detail)
            : TypedResults.Problem(refusal.Detail, statusCode: refusal.Status, type: refusal.Type);
}
