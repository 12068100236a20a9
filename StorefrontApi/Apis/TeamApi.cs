using AlyAspire.Shared.Scopes;
using AlyAspire.StorefrontApi.Application;
using AlyAspire.AgentGate;
using Microsoft.AspNetCore.Http.HttpResults;

namespace AlyAspire.StorefrontApi.Apis;

/// <summary>The workspace's team for agents over REST (<see cref="TeamService"/>).</summary>
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

    public static async Task<Ok<IReadOnlyList<TeamMemberView>>> ListMembers(TeamService team, CancellationToken ct) =>
        TypedResults.Ok(await team.ListAsync(ct));

    public static async Task<Results<Created<TeamMemberView>, ProblemHttpResult>> Invite(InviteTeamMemberRequest request, TeamService team, CancellationToken ct) =>
        (await team.InviteAsync(request, ct)).ToCreated(invitation => $"{MerchantApi.BasePath}/team/{invitation.Id}");

    public static async Task<Results<NoContent, ProblemHttpResult>> Remove(Guid id, TeamService team, CancellationToken ct) =>
        (await team.RemoveAsync(id, ct)).ToNoContent();
}
