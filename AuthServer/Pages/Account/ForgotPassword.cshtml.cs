using AlyAspire.AuthServer.People;
using AlyAspire.AuthServer.Throttling;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;

namespace AlyAspire.AuthServer.Pages.Account;

/// <summary>Asks for a reset link; the answer is the same whether or not the e-mail has an account.</summary>
[EnableRateLimiting(SignInRateLimitPolicy.Name)]
public sealed class ForgotPasswordModel(AccountService accounts) : PageModel
{
    [BindProperty]
    public string? Email { get; set; }

    public string? Error { get; private set; }

    public bool Sent { get; private set; }

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        if (!SignupModel.IsEmail(Email))
        {
            Error = "Enter a valid e-mail address.";
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return Page();
        }

        await accounts.RequestPasswordResetAsync(Email!.Trim(), ct);
        Sent = true;
        return Page();
    }
}
