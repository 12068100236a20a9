using System.Security.Claims;
using AlyAspire.AuthServer.Sessions;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace AlyAspire.AuthServer.Pages;

/// <summary>What every dashboard page knows from the session: who, in which workspace, with which role.</summary>
public abstract class DashboardPageModel : PageModel
{
    public Guid UserId => Guid.Parse(User.FindFirstValue(SessionClaimTypes.Subject)!);

    public Guid WorkspaceId => Guid.Parse(User.FindFirstValue(SessionClaimTypes.WorkspaceId)!);

    public string WorkspaceName => User.FindFirstValue(SessionClaimTypes.WorkspaceName)!;

    public string Role => User.FindFirstValue(SessionClaimTypes.Role)!;

    public IReadOnlyList<string> RoleScopes => User.FindAll(SessionClaimTypes.Scope).Select(c => c.Value).ToList();

    public bool HasScope(string scope) => User.HasClaim(SessionClaimTypes.Scope, scope);
}
