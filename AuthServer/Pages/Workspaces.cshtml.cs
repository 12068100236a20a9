using AlyAspire.AuthServer.People;
using AlyAspire.AuthServer.Sessions;
using Microsoft.AspNetCore.Mvc;

namespace AlyAspire.AuthServer.Pages;

/// <summary>The person's workspaces: switch the session to another one, or create a new one (its owner).</summary>
public sealed class WorkspacesModel(AccountService accounts, SessionTokens sessions) : DashboardPageModel
{
    public IReadOnlyList<WorkspaceMembership> Memberships { get; private set; } = [];

    public string? Error { get; private set; }

    public async Task OnGetAsync(CancellationToken ct) => Memberships = await accounts.MembershipsAsync(UserId, ct);

    public async Task<IActionResult> OnPostSwitchAsync(Guid workspaceId, CancellationToken ct)
    {
        Memberships = await accounts.MembershipsAsync(UserId, ct);
        if (Memberships.FirstOrDefault(m => m.WorkspaceId == workspaceId) is not { } membership)
        {
            Error = "You do not belong to that workspace.";
            Response.StatusCode = StatusCodes.Status404NotFound;
            return Page();
        }

        return await SignInToAsync(membership, ct);
    }

    public async Task<IActionResult> OnPostCreateAsync(string? name, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(name) || name.Trim().Length > 100)
        {
            Memberships = await accounts.MembershipsAsync(UserId, ct);
            Error = "Name the workspace (at most 100 characters).";
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return Page();
        }

        var workspace = await accounts.CreateWorkspaceAsync(UserId, name, ct);
        return await SignInToAsync(new WorkspaceMembership(workspace.Id, workspace.Name, AlyAspire.Shared.Scopes.WorkspaceRoles.Owner), ct);
    }

    private async Task<IActionResult> SignInToAsync(WorkspaceMembership membership, CancellationToken ct)
    {
        var user = await accounts.FindAsync(UserId, ct);
        if (user is null)
        {
            return Challenge(SessionAuthenticationHandler.SchemeName);
        }

        sessions.SignIn(HttpContext, user, membership);
        return LocalRedirect("/");
    }
}
