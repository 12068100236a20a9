using AlyAspire.AuthServer.People;

namespace AlyAspire.AuthServer.Pages;

public sealed class IndexModel(AccountService accounts) : DashboardPageModel
{
    public bool EmailVerified { get; private set; }

    public async Task OnGetAsync(CancellationToken ct) => EmailVerified = await accounts.IsEmailVerifiedAsync(UserId, ct);
}
