using System.Net.Mail;
using AlyAspire.AuthServer.People;
using AlyAspire.AuthServer.Throttling;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;

namespace AlyAspire.AuthServer.Pages.Account;

/// <summary>
/// Sign-up: a new workspace and its owner, who verifies the e-mail through a mailed link. The answer is the same
/// whether or not the e-mail already has an account (its owner learns which from the mail).
/// </summary>
[EnableRateLimiting(SignInRateLimitPolicy.Name)]
public sealed class SignupModel(AccountService accounts) : PageModel
{
    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    [BindProperty]
    public string? WorkspaceName { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Email { get; set; }

    [BindProperty]
    public string? Password { get; set; }

    public List<string> Errors { get; } = [];

    /// <summary>Set once the form was accepted: the page then only says to look for the mail.</summary>
    public string? SentTo { get; private set; }

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

        if (!IsAcceptablePassword(Password))
        {
            Errors.Add($"Choose a password of at least {AccountService.MinimumPasswordLength} characters.");
        }

        if (Errors.Count > 0)
        {
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return Page();
        }

        await accounts.SignUpAsync(Email!.Trim(), Password!, WorkspaceName!, ct);
        SentTo = Email.Trim();
        return Page();
    }

    internal static bool IsEmail(string? value) =>
        !string.IsNullOrWhiteSpace(value) && value.Length <= 256 && MailAddress.TryCreate(value.Trim(), out var address) && address.Address == value.Trim();

    internal static bool IsAcceptablePassword(string? value) =>
        value is not null && value.Length >= AccountService.MinimumPasswordLength && value.Length <= 256;
}
