using AlyAspire.AuthServer.Audit;
using AlyAspire.Shared.Audit;
using AlyAspire.AuthServer.People;
using AlyAspire.AuthServer.Sessions;
using AlyAspire.AuthServer.Throttling;
using AlyAspire.Shared.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;

namespace AlyAspire.AuthServer.Pages.Account;

[EnableRateLimiting(SignInRateLimitPolicy.Name)]
public sealed class LoginModel(AccountService accounts, SessionTokens sessions, FailedSignInLimiter failedSignIns, AuditTrail audit) : PageModel
{
    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    [BindProperty]
    public string? Email { get; set; }

    [BindProperty]
    public string? Password { get; set; }

    public string? Error { get; private set; }

    /// <summary>Why the person is here: after verifying their e-mail or resetting their password.</summary>
    [BindProperty(SupportsGet = true)]
    public string? Note { get; set; }

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(Email) || string.IsNullOrEmpty(Password))
        {
            Error = "Enter your e-mail and password.";
            return Page();
        }

        // Refused before the password is looked at, so a refusal says nothing about it (or about the account).
        if (await failedSignIns.RefusedForAsync(Email, ct) is { } wait)
        {
            Error = SignInRefusal.Message(wait);
            RetryAfterHeader.Set(Response, wait);
            Response.StatusCode = StatusCodes.Status429TooManyRequests;
            return Page();
        }

        var user = await accounts.VerifyPasswordAsync(Email, Password, ct);
        var membership = user is null ? null : (await accounts.MembershipsAsync(user.Id, ct)).FirstOrDefault();
        if (user is null || membership is null)
        {
            await failedSignIns.CountFailureAsync(Email);
            await audit.RecordFailedSignInAsync(Email, ct);
            // One message for every failure: it must not tell which e-mails exist.
            Error = "The e-mail or password is not correct.";
            Response.StatusCode = StatusCodes.Status401Unauthorized;
            return Page();
        }

        await audit.RecordAsync(membership.WorkspaceId, AuditKinds.SignInSucceeded, AuditActorKinds.Person, $"user:{user.Id}", $"user:{user.Id}", AuditOutcomes.Succeeded, null, ct);
        sessions.SignIn(HttpContext, user, membership);
        return LocalRedirect(Url.IsLocalUrl(ReturnUrl) ? ReturnUrl : "/");
    }
}
