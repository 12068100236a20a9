using AlyAspire.AuthServer.Sessions;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace AlyAspire.AuthServer.Pages.Account;

public sealed class LogoutModel(SessionTokens sessions) : PageModel
{
    public void OnGet()
    {
    }

    public IActionResult OnPost()
    {
        sessions.DeleteCookie(HttpContext);
        return LocalRedirect(SessionAuthenticationHandler.LoginPath);
    }
}
