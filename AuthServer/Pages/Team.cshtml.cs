using AlyAspire.AuthServer.Pages.Account;
using AlyAspire.AuthServer.People;
using AlyAspire.Shared.Scopes;
using Microsoft.AspNetCore.Mvc;

namespace AlyAspire.AuthServer.Pages;

/// <summary>
/// The workspace's members and pending invitations. Owners and admins invite (admins not as owner), re-send and
/// revoke invitations and remove members (admins not owners); owners change roles. Nobody sees a password here.
/// </summary>
public sealed class TeamModel(TeamService team) : DashboardPageModel
{
    public IReadOnlyList<TeamMember> Members { get; private set; } = [];

    public IReadOnlyList<PendingInvitation> Invitations { get; private set; } = [];

    public bool CanManage => TeamRules.CanManage(Role);

    public bool CanChangeRoles => TeamRules.CanChangeRoles(Role);

    /// <summary>The roles this person may hand out.</summary>
    public IReadOnlyList<string> AssignableRoles => WorkspaceRoles.All.Where(r => TeamRules.CanHandle(Role, r)).ToList();

    public string? Error { get; private set; }

    /// <summary>What the last change did, carried across its redirect (post, redirect, get: a reload does not send it again).</summary>
    [TempData]
    public string? Message { get; set; }

    private TeamActor TeamActor => TeamActor.Person(UserId, Role);

    public async Task OnGetAsync(CancellationToken ct) => await LoadAsync(ct);

    public async Task<IActionResult> OnPostInviteAsync(string? email, string? role, CancellationToken ct)
    {
        if (!SignupModel.IsEmail(email) || role is null || !WorkspaceRoles.IsKnown(role))
        {
            return await ShowAsync(StatusCodes.Status400BadRequest, error: "Enter a valid e-mail address and one of the roles.", ct: ct);
        }

        var invited = email!.Trim();
        return await ShowAsync(await team.InviteAsync(TeamActor, WorkspaceId, invited, role, ct),
            $"Invitation sent to {invited}. They become a member when they accept it.", ct);
    }

    public async Task<IActionResult> OnPostResendAsync(Guid invitationId, CancellationToken ct) =>
        await ShowAsync(await team.ResendInvitationAsync(TeamActor, WorkspaceId, invitationId, ct), "Invitation sent again with a new link.", ct);

    public async Task<IActionResult> OnPostRevokeAsync(Guid invitationId, CancellationToken ct) =>
        await ShowAsync(await team.RevokeInvitationAsync(TeamActor, WorkspaceId, invitationId, ct), "Invitation revoked: its link no longer works.", ct);

    public async Task<IActionResult> OnPostRoleAsync(Guid userId, string? role, CancellationToken ct)
    {
        if (role is null || !WorkspaceRoles.IsKnown(role))
        {
            return await ShowAsync(StatusCodes.Status400BadRequest, error: "Choose one of the roles.", ct: ct);
        }

        return await ShowAsync(await team.ChangeRoleAsync(TeamActor, WorkspaceId, userId, role, ct), $"Role changed to {role}.", ct);
    }

    public async Task<IActionResult> OnPostRemoveAsync(Guid userId, CancellationToken ct)
    {
        if (userId == UserId)
        {
            return await ShowAsync(StatusCodes.Status400BadRequest, error: "You cannot remove yourself.", ct: ct);
        }

        return await ShowAsync(await team.RemoveAsync(TeamActor, WorkspaceId, userId, ct),
            "Member removed; their access to this workspace has been revoked.", ct);
    }

    private async Task<IActionResult> ShowAsync(TeamOutcome outcome, string done, CancellationToken ct) => outcome switch
    {
        TeamOutcome.Done => Done(done),
        TeamOutcome.NotAllowed => await ShowAsync(StatusCodes.Status403Forbidden, error: "Your role does not allow that.", ct: ct),
        TeamOutcome.NotFound => await ShowAsync(StatusCodes.Status404NotFound, error: "No such member or pending invitation in this workspace.", ct: ct),
        TeamOutcome.LastOwner => await ShowAsync(StatusCodes.Status409Conflict, error: "The workspace's last owner can be neither removed nor demoted.", ct: ct),
        _ => await ShowAsync(StatusCodes.Status409Conflict, error: "That person is already a member.", ct: ct),
    };

    private RedirectToPageResult Done(string message)
    {
        Message = message;
        return RedirectToPage();
    }

    /// <summary>A refused change is shown on the page it came from, with its status; nothing changed, so nothing to re-send.</summary>
    private async Task<IActionResult> ShowAsync(int status, string? error = null, CancellationToken ct = default)
    {
        Response.StatusCode = status;
        Error = error;
        await LoadAsync(ct);
        return Page();
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        Members = await team.MembersAsync(WorkspaceId, ct);
        Invitations = CanManage ? await team.PendingInvitationsAsync(WorkspaceId, ct) : [];
    }
}
