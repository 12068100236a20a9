using AlyAspire.AuthServer.Pages.Account;
using AlyAspire.AuthServer.People;
using AlyAspire.Shared.Errors;
using AlyAspire.Shared.Internal;
using AlyAspire.Shared.Scopes;
using AlyAspire.Shared.Team;
using Microsoft.AspNetCore.Http.HttpResults;

namespace AlyAspire.AuthServer.Apis;

/// <summary>
/// Memberships and invitations for the platform's services (the StorefrontApi's <c>/merchant/team</c>), behind the
/// internal service credential, through the same <see cref="TeamService"/> and rules as the dashboard. The actor's
/// authority is worked out here from the membership of the person the agent acts for, never taken from the caller.
/// </summary>
public static class InternalTeamApi
{
    public static IEndpointRouteBuilder MapInternalTeamApi(this IEndpointRouteBuilder app)
    {
        var team = app.MapGroup("/internal/workspaces/{workspaceId:guid}/team")
            .RequireAuthorization(InternalServiceAuthentication.Policy)
            .DisableAntiforgery();
        team.MapGet("/", ListAsync);
        team.MapPost("/invitations", InviteAsync);
        team.MapPost("/{id:guid}/removal", RemoveAsync);
        return app;
    }

    public static async Task<Ok<List<TeamMemberDto>>> ListAsync(Guid workspaceId, TeamService team, CancellationToken ct)
    {
        var members = (await team.MembersAsync(workspaceId, ct)).Select(m => new TeamMemberDto(m.UserId, m.Email, m.Role, TeamApiPaths.StatusActive, m.Since));
        var invitations = (await team.PendingInvitationsAsync(workspaceId, ct)).Select(i => new TeamMemberDto(i.Id, i.Email, i.Role, TeamApiPaths.StatusInvited, i.CreatedAt));
        return TypedResults.Ok(members.Concat(invitations).ToList());
    }

    public static async Task<Results<Created<TeamMemberDto>, ProblemHttpResult>> InviteAsync(
        Guid workspaceId, TeamInvitationRequest request, TeamService team, CancellationToken ct)
    {
        if (!SignupModel.IsEmail(request.Email) || request.Role is not { } role || !WorkspaceRoles.IsKnown(role))
        {
            return Problem(StatusCodes.Status400BadRequest, ProblemTypes.Validation, "Enter a valid e-mail address and one of the roles.");
        }

        if (await ActorAsync(workspaceId, request.Actor, team, ct) is not { } actor)
        {
            return NotAllowed();
        }

        var email = request.Email!.Trim();
        var outcome = await team.InviteAsync(actor, workspaceId, email, role, ct);
        if (outcome != TeamOutcome.Done)
        {
            return Failure(outcome);
        }

        var invitation = (await team.PendingInvitationsAsync(workspaceId, ct)).Single(i => string.Equals(i.Email, email, StringComparison.OrdinalIgnoreCase));
        return TypedResults.Created($"{TeamApiPaths.Team(workspaceId)}/{invitation.Id}",
            new TeamMemberDto(invitation.Id, invitation.Email, invitation.Role, TeamApiPaths.StatusInvited, invitation.CreatedAt));
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> RemoveAsync(
        Guid workspaceId, Guid id, TeamRemovalRequest request, TeamService team, CancellationToken ct)
    {
        if (await ActorAsync(workspaceId, request.Actor, team, ct) is not { } actor)
        {
            return NotAllowed();
        }

        if (actor.IsPerson(id))
        {
            return Problem(StatusCodes.Status409Conflict, ProblemTypes.Conflict, "An agent cannot remove the person it acts for.");
        }

        var outcome = await team.RemoveAsync(actor, workspaceId, id, ct);
        if (outcome == TeamOutcome.NotFound)
        {
            outcome = await team.RevokeInvitationAsync(actor, workspaceId, id, ct);
        }

        return outcome == TeamOutcome.Done ? TypedResults.NoContent() : Failure(outcome);
    }

    /// <summary>
    /// The actor with the authority it has now: an OAuth agent its person's current role (none if they left); an API
    /// key an admin's (keys with <c>manage:team</c> are minted by owners, but do not act as one).
    /// </summary>
    private static async Task<TeamActor?> ActorAsync(Guid workspaceId, TeamActorDto? actor, TeamService team, CancellationToken ct) => actor switch
    {
        { Kind: "oauth", PersonId: { } personId } => await team.RoleOfAsync(workspaceId, personId, ct) is { } role
            ? TeamActor.OAuthAgent(personId, role, actor.CredentialId)
            : null,
        { Kind: "key" } => TeamActor.ApiKey(actor.CredentialId),
        _ => null,
    };

    private static ProblemHttpResult Failure(TeamOutcome outcome) => outcome switch
    {
        TeamOutcome.NotAllowed => NotAllowed(),
        TeamOutcome.NotFound => Problem(StatusCodes.Status404NotFound, ProblemTypes.NotFound, "The teammate was not found."),
        TeamOutcome.LastOwner => Problem(StatusCodes.Status409Conflict, ProblemTypes.Conflict, "The workspace's last owner can be neither removed nor demoted."),
        _ => Problem(StatusCodes.Status409Conflict, ProblemTypes.Conflict, "That person is already a member."),
    };

    private static ProblemHttpResult NotAllowed() =>
        Problem(StatusCodes.Status403Forbidden, ProblemTypes.Forbidden, "The acting person's role does not allow that.");

    private static ProblemHttpResult Problem(int status, string type, string detail) =>
        TypedResults.Problem(detail, statusCode: status, type: type);
}
