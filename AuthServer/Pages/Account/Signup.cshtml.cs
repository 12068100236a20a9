using System.Net.Mail;
using AlyAspire.AuthServer.People;
using AlyAspire.AuthServer.Sessions;
using AlyAspire.AuthServer.Throttling;
using AlyAspire.Shared.Scopes;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;

namespace AlyAspire.AuthServer.Pages.Account;

[EnableRateLimiting(SignInRateLimitPolicy.Name)]
public sealed class SignupModel(AccountService accounts, SessionTokens sessions) : PageModel
{
    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    [BindProperty]
    public string? WorkspaceName { get; set; }

    [BindProperty]
    public string? Email { get; set; }

    [BindProperty]
    public string? Password { get; set; }

    public List<string> Errors { get; } = [];

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(WorkspaceName) || WorkspaceName.Trim().Length > 100)
        {
            Errors.Add("Name the workspace (at most 100 characters).");
        }

        if (!IsEmail(Email))
        {
            Errors.Add("Enter a valid e-mail address.");
        }

        if (Password is null || Password.Length < AccountService.MinimumPasswordLength)
        {
            Errors.Add($"Choose a password of at least {AccountService.MinimumPasswordLength} characters.");
        }

        if (Errors.Count == 0 && await accounts.EmailTakenAsync(Email!, ct))
        {
            Errors.Add("An account with this e-mail already exists: sign in instead.");
        }

        if (Errors.Count > 0)
        {
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return Page();
        }

        var (user, workspace) = await accounts.SignUpAsync(Email!, Password!, WorkspaceName!, ct);
        sessions.WriteCookie(HttpContext, sessions.Issue(user.Id, user.Email, workspace.Id, WorkspaceRoles.Owner));
        return LocalRedirect(Url.IsLocalUrl(ReturnUrl) ? ReturnUrl : "/");
    }

    internal static bool IsEmail(string? value) =>
        !string.IsNullOrWhiteSpace(value) && value.Length <= 256 && MailAddress.TryCreate(value.Trim(), out var address) && address.Address == value.Trim();
}
