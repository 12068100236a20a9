using AlyAspire.AuthServer.People;
using AlyAspire.AuthServer.Sessions;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace AlyAspire.AuthServer.Pages.Invitations;

/// <summary>
/// An invitation link's page: what it offers, then (signed in with a verified account for the invited e-mail)
/// an Accept button. Opening the link changes nothing; only accepting makes the person a member.
/// </summary>
public sealed class AcceptModel(TeamService team, AccountService accounts, SessionTokens sessions) : PageModel
{
    [BindProperty(SupportsGet = true)]
    public string? Token { get; set; }

    public InvitationOffer? Offer { get; private set; }

    public bool SignedIn { get; private set; }

    public string? SignedInEmail { get; private set; }

    public bool Verified { get; private set; }

    public string? Error { get; private set; }

    public string ReturnUrl => $"/invitations/accept?token={Uri.EscapeDataString(Token ?? string.Empty)}";

    public async Task OnGetAsync(CancellationToken ct) => await LoadAsync(ct);

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        await LoadAsync(ct);
        if (!SignedIn)
        {
            return Challenge(SessionAuthenticationHandler.SchemeName);
        }

        var userId = Guid.Parse(User.FindFirst(SessionClaimTypes.Subject)!.Value);
        var outcome = await team.AcceptAsync(userId, Token ?? string.Empty, ct);
        switch (outcome)
        {
            case AcceptOutcome.Accepted or AcceptOutcome.AlreadyMember:
                // Straight into the workspace just joined.
                var user = (await accounts.FindAsync(userId, ct))!;
                var membership = (await accounts.MembershipsAsync(userId, ct)).Single(m => m.WorkspaceId == Offer!.WorkspaceId);
                sessions.SignIn(HttpContext, user, membership);
                return LocalRedirect("/team");
            case AcceptOutcome.OtherAccount:
                Error = "This invitation was sent to another e-mail address. Sign in with that address to accept it.";
                Response.StatusCode = StatusCodes.Status403Forbidden;
                break;
            case AcceptOutcome.NotVerified:
                Error = "Verify your e-mail address first: follow the link we mailed you, then accept.";
                Response.StatusCode = StatusCodes.Status403Forbidden;
                break;
            default:
                Error = "This invitation has expired, was revoked or was already used. Ask for a new one.";
                Response.StatusCode = StatusCodes.Status400BadRequest;
                break;
        }

        return Page();
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        Offer = await team.FindOfferAsync(Token ?? string.Empty, ct);
        if (Offer is null)
        {
            Error = "This invitation has expired, was revoked or was already used. Ask for a new one.";
        }

        SignedIn = User.Identity?.AuthenticationType == SessionAuthenticationHandler.SchemeName;
        if (SignedIn && Guid.TryParse(User.FindFirst(SessionClaimTypes.Subject)?.Value, out var userId))
        {
            SignedInEmail = User.FindFirst(SessionClaimTypes.Email)?.Value;
            Verified = await accounts.IsEmailVerifiedAsync(userId, ct);
        }
    }
}
