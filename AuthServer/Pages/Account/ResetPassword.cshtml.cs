using AlyAspire.AuthServer.Infrastructure;
using AlyAspire.AuthServer.People;
using AlyAspire.AuthServer.Throttling;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;

namespace AlyAspire.AuthServer.Pages.Account;

/// <summary>The reset link's page: a new password, once per link; every session of the account ends.</summary>
[EnableRateLimiting(SignInRateLimitPolicy.Name)]
public sealed class ResetPasswordModel(AccountService accounts) : PageModel
{
    [BindProperty(SupportsGet = true)]
    public string? Token { get; set; }

    [BindProperty]
    public string? Password { get; set; }

    public string? Error { get; private set; }

    public bool Usable { get; private set; }

    public async Task OnGetAsync(CancellationToken ct)
    {
        Usable = await accounts.IsUsableAsync(Token ?? string.Empty, AccountTokenPurpose.ResetPassword, ct);
        if (!Usable)
        {
            Error = Unusable;
        }
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        Usable = true;
        if (!SignupModel.IsAcceptablePassword(Password))
        {
            Error = $"Choose a password of at least {AccountService.MinimumPasswordLength} characters.";
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return Page();
        }

        if (!await accounts.ResetPasswordAsync(Token ?? string.Empty, Password!, ct))
        {
            Usable = false;
            Error = Unusable;
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return Page();
        }

        return LocalRedirect("/account/login?Note=reset");
    }

    private const string Unusable = "This reset link has expired or was already used. Ask for a new one.";
}
