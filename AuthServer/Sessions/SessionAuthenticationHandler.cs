using System.Text.Encodings.Web;
using AlyAspire.AuthServer.Infrastructure;
using Microsoft.AspNetCore.Authentication;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace AlyAspire.AuthServer.Sessions;

/// <summary>
/// The dashboard's authentication scheme: the session JWT from its cookie, renewed (sliding) once half its
/// lifetime has passed, provided the person still belongs to the workspace. Not signed in → the sign-in page.
/// </summary>
public sealed class SessionAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    SessionTokens tokens,
    AuthDbContext db,
    TimeProvider time)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "Session";
    public const string LoginPath = "/account/login";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!Request.Cookies.TryGetValue(tokens.CookieName(Request), out var token) || string.IsNullOrEmpty(token))
        {
            return AuthenticateResult.NoResult();
        }

        var session = await tokens.ReadAsync(token);
        if (session is null)
        {
            return AuthenticateResult.Fail("The session is not valid or has expired.");
        }

        // The role comes from the membership as it is now: a removed member loses the dashboard at once. The account's
        // session version too: a password reset or change ends every session issued before it.
        var current = await db.Memberships.AsNoTracking()
            .Where(m => m.UserId == session.UserId && m.WorkspaceId == session.WorkspaceId)
            .Select(m => new { m.Role, m.User.SessionVersion, WorkspaceName = m.Workspace.Name })
            .SingleOrDefaultAsync(Context.RequestAborted);
        if (current is null)
        {
            tokens.DeleteCookie(Context);
            return AuthenticateResult.Fail("The person no longer belongs to the workspace.");
        }

        if (current.SessionVersion != session.SessionVersion)
        {
            tokens.DeleteCookie(Context);
            return AuthenticateResult.Fail("The session ended when the account's password changed.");
        }

        var now = time.GetUtcNow();
        if (current.Role != session.Role || now - session.IssuedAt > (session.ExpiresAt - session.IssuedAt) / 2)
        {
            tokens.WriteCookie(Context, tokens.Issue(session.UserId, session.Email, session.WorkspaceId, current.WorkspaceName, current.Role, current.SessionVersion));
            session = session with { Role = current.Role, WorkspaceName = current.WorkspaceName };
        }

        return AuthenticateResult.Success(new AuthenticationTicket(SessionTokens.ToPrincipal(session, SchemeName), SchemeName));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var returnUrl = properties.RedirectUri ?? (Request.PathBase + Request.Path + Request.QueryString).ToString();
        Response.Redirect($"{LoginPath}?ReturnUrl={Uri.EscapeDataString(returnUrl)}");
        return Task.CompletedTask;
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status403Forbidden;
        return Task.CompletedTask;
    }
}
