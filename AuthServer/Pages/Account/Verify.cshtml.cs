using AlyAspire.AuthServer.People;
using AlyAspire.AuthServer.Sessions;
using AlyAspire.AuthServer.Throttling;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;

namespace AlyAspire.AuthServer.Pages.Account;

/// <summary>
/// The verification link's page. Opening it (a GET, which mail scanners also do) changes nothing; the button posts
/// the token, which verifies the e-mail once. Signed-in people whose e-mail is not verified ask for a new link here.
/// </summary>
[EnableRateLimiting(SignInRateLimitPolicy.Name)]
public sealed class VerifyModel(AccountService accounts) : PageModel
{
    [BindProperty(SupportsGet = true)]
    public string? Token { get; set; }

    public string? Error { get; private set; }

    public string? Message { get; private set; }

    public void OnGet()
    {
        if (!LinkTokens.LooksValid(Token))
        {
            Error = "This verification link is not complete. Open the link from the mail again.";
        }
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        if (await accounts.VerifyEmailAsync(Token ?? string.Empty, ct) is null)
        {
            Error = "This verification link has expired or was already used. Sign in and ask for a new one.";
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return Page();
        }

        return LocalRedirect("/account/login?Note=verified");
    }

    public async Task<IActionResult> OnPostResendAsync(CancellationToken ct)
    {
        // Razor Pages authorize pages, not handlers: this one checks the session itself.
        if (User.Identity?.AuthenticationType != SessionAuthenticationHandler.SchemeName
            || !Guid.TryParse(User.FindFirst(SessionClaimTypes.Subject)?.Value, out var userId))
        {
            return Challenge(SessionAuthenticationHandler.SchemeName);
        }

        await accounts.ResendVerificationAsync(userId, ct);
        Token = null;
        Message = "A new verification link is on its way to your e-mail address.";
        return Page();
    }
}
