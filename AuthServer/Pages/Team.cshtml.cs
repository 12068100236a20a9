using AlyAspire.AuthServer.Pages.Account;
using AlyAspire.AuthServer.OAuth;
using AlyAspire.AuthServer.People;
using AlyAspire.Shared.Scopes;
using Microsoft.AspNetCore.Mvc;
using OpenIddict.Abstractions;

namespace AlyAspire.AuthServer.Pages;

public sealed record TeamMember(Guid UserId, string Email, string Role, DateTimeOffset Since);

/// <summary>Members of the workspace and their roles; those allowed to manage the team invite and remove.</summary>
public sealed class TeamModel(AccountService accounts, IOpenIddictAuthorizationManager authorizations, IOpenIddictTokenManager tokens)
    : DashboardPageModel
{
    public IReadOnlyList<TeamMember> Members { get; private set; } = [];

    public bool CanManage => HasScope(ScopeCatalogue.ManageTeam);

    public string? Error { get; private set; }

    public string? Message { get; private set; }

    public string? OneTimePassword { get; private set; }

    public string? InvitedEmail { get; private set; }

    public async Task OnGetAsync(CancellationToken ct) => await LoadAsync(ct);

    public async Task<IActionResult> OnPostInviteAsync(string? email, string? role, CancellationToken ct)
    {
        if (!CanManage)
        {
            return Forbid();
        }

        if (!SignupModel.IsEmail(email) || role is null || !WorkspaceRoles.IsKnown(role))
        {
            Error = "Enter a valid e-mail address and one of the roles.";
            Response.StatusCode = StatusCodes.Status400BadRequest;
        }
        else
        {
            var result = await accounts.InviteAsync(WorkspaceId, email!.Trim(), role, ct);
            InvitedEmail = email.Trim();
            switch (result.Outcome)
            {
                case InvitationOutcome.Created:
                    OneTimePassword = result.OneTimePassword;
                    Response.Headers.CacheControl = "no-store";
                    break;
                case InvitationOutcome.Added:
                    Message = $"{InvitedEmail} already had an account and now belongs to this workspace as {role}.";
                    break;
                default:
                    Error = $"{InvitedEmail} is already a member.";
                    Response.StatusCode = StatusCodes.Status409Conflict;
                    break;
            }
        }

        await LoadAsync(ct);
        return Page();
    }

    public async Task<IActionResult> OnPostRemoveAsync(Guid userId, CancellationToken ct)
    {
        if (!CanManage)
        {
            return Forbid();
        }

        if (userId == UserId || !await accounts.RemoveAsync(WorkspaceId, userId, ct))
        {
            Error = "That member cannot be removed (yourself, the last owner, or not a member).";
            Response.StatusCode = StatusCodes.Status400BadRequest;
        }
        else
        {
            await RevokeGrantsAsync(userId, ct);
            Message = "Member removed.";
        }

        await LoadAsync(ct);
        return Page();
    }

    /// <summary>What a removed member authorized in this workspace stops working with their membership.</summary>
    private async Task RevokeGrantsAsync(Guid userId, CancellationToken ct)
    {
        var ids = new List<string>();
        await foreach (var authorization in authorizations.FindBySubjectAsync(userId.ToString(), ct))
        {
            if (await authorizations.GetWorkspaceIdAsync(authorization, ct) == WorkspaceId
                && await authorizations.GetIdAsync(authorization, ct) is { } id)
            {
                ids.Add(id);
            }
        }

        foreach (var id in ids)
        {
            // Revokes the tokens, the authorization and signals the resource servers.
            await tokens.RevokeByAuthorizationIdAsync(id, ct);
        }
    }

    private async Task LoadAsync(CancellationToken ct) =>
        Members = (await accounts.MembersAsync(WorkspaceId, ct)).Select(m => new TeamMember(m.UserId, m.Email, m.Role, m.Since)).ToList();
}
