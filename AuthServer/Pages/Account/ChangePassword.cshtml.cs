using AlyAspire.AuthServer.People;
using AlyAspire.AuthServer.Sessions;
using Microsoft.AspNetCore.Mvc;

namespace AlyAspire.AuthServer.Pages.Account;

/// <summary>Password change for the signed-in person: the current password first; every other session ends.</summary>
public sealed class ChangePasswordModel(AccountService accounts, SessionTokens sessions) : DashboardPageModel
{
    [BindProperty]
    public string? CurrentPassword { get; set; }

    [BindProperty]
    public string? NewPassword { get; set; }

    public string? Error { get; private set; }

    public string? Message { get; private set; }

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        if (string.IsNullOrEmpty(CurrentPassword) || !SignupModel.IsAcceptablePassword(NewPassword))
        {
            Error = $"Enter your current password and a new one of at least {AccountService.MinimumPasswordLength} characters.";
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return Page();
        }

        var user = await accounts.ChangePasswordAsync(UserId, CurrentPassword, NewPassword!, ct);
        if (user is null)
        {
            Error = "The current password is not correct.";
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return Page();
        }

        // This browser stays signed in with the new session version; every other session is refused from now on.
        sessions.SignIn(HttpContext, user, new WorkspaceMembership(WorkspaceId, WorkspaceName, Role));
        Message = "Your password is changed. Other sessions of your account have ended.";
        return Page();
    }
}
