using System.Net;

namespace AlyAspire.Tests.Infrastructure;

/// <summary>
/// People as they come to the platform, through its pages and its mail (smtp4dev): sign up and verify, invite and
/// accept. For tests whose subject is something else; the pages themselves are tested in a real browser.
/// </summary>
public static class PeopleSteps
{
    /// <summary>Signs up, follows the mailed verification link and signs in: the verified owner of a new workspace.</summary>
    public static async Task<AuthServerBrowser.Page> SignUpVerifiedAsync(this AuthServerBrowser browser, PlatformFixture platform,
        string email, string password, string workspaceName = "Test Shop")
    {
        var signup = await browser.GetAsync("/account/signup");
        var sent = await signup.SubmitAsync(browser, signup.Form("WorkspaceName"),
            new() { ["WorkspaceName"] = workspaceName, ["Email"] = email, ["Password"] = password });
        Assert.Equal(HttpStatusCode.OK, sent.Status);
        using var mailbox = new Mailbox(platform);
        var mail = await mailbox.WaitForAsync(email, "Verify your e-mail");
        var verify = await browser.GetAsync(mail.Link("/account/verify").PathAndQuery);
        var verified = await verify.SubmitAsync(browser, verify.Form("Token"), new());
        Assert.Equal("/account/login", verified.Url.AbsolutePath);
        var signedIn = await browser.SignInAsync(email, password);
        Assert.Equal(HttpStatusCode.OK, signedIn.Status);
        return signedIn;
    }

    /// <summary>Invites <paramref name="email"/> from the team page; returns the link the invitee was mailed.</summary>
    public static async Task<Uri> InviteAsync(this AuthServerBrowser owner, PlatformFixture platform, string email, string role)
    {
        var since = DateTimeOffset.UtcNow.AddSeconds(-5);
        var team = await owner.GetAsync("/team");
        var invited = await team.SubmitAsync(owner, team.FormFor("Invite"), new() { ["email"] = email, ["role"] = role });
        Assert.Equal(HttpStatusCode.OK, invited.Status);
        using var mailbox = new Mailbox(platform);
        return (await mailbox.WaitForAsync(email, "You are invited", since)).Link("/invitations/accept");
    }

    /// <summary>Follows an invitation link signed in and accepts it; the page the person ends on.</summary>
    public static async Task<AuthServerBrowser.Page> AcceptInvitationAsync(this AuthServerBrowser person, Uri link)
    {
        var offer = await person.GetAsync(link.PathAndQuery);
        return await offer.SubmitAsync(person, offer.Form("Token"), new());
    }
}
