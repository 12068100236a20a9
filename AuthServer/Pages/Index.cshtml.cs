using AlyAspire.AuthServer.People;

namespace AlyAspire.AuthServer.Pages;

public sealed class IndexModel(AccountService accounts) : DashboardPageModel
{
    public string WorkspaceName { get; private set; } = string.Empty;

    public async Task OnGetAsync(CancellationToken ct)
    {
        var memberships = await accounts.MembershipsAsync(UserId, ct);
        WorkspaceName = memberships.FirstOrDefault(m => m.WorkspaceId == WorkspaceId)?.WorkspaceName ?? "Workspace";
    }
}
