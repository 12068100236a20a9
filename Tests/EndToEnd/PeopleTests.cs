using AlyAspire.Shared.Development;
using AlyAspire.Shared.Scopes;
using AlyAspire.Tests.Infrastructure;
using Microsoft.Playwright;

namespace AlyAspire.Tests.EndToEnd;

/// <summary>
/// Accounts and invitations as people meet them, in headless Chromium, with the mail they get from smtp4dev:
/// sign-up and verification, invitations pending until accepted (and refused to another account), password change
/// and reset.
/// </summary>
[Collection(PlatformCollection.Name)]
public sealed class PeopleTests(PlatformFixture platform)
{
    private const string Password = "a-long-password-1";

    [Fact]
    public async Task An_existing_account_invited_is_a_member_only_after_following_the_mailed_link_and_accepting_and_another_account_is_refused()
    {
        using var mailbox = new Mailbox(platform);
        var invitee = $"invitee-{Guid.NewGuid():N}@shop.example";
        var stranger = $"stranger-{Guid.NewGuid():N}@shop.example";
        await using var owner = await BrowserPerson.StartAsync(platform);
        await using var inviteeBrowser = await BrowserPerson.StartAsync(platform);
        await using var strangerBrowser = await BrowserPerson.StartAsync(platform);
        await SignUpAndVerifyAsync(inviteeBrowser.Page, mailbox, invitee, "Invitee's Shop");
        await SignUpAndVerifyAsync(strangerBrowser.Page, mailbox, stranger, "Stranger's Shop");

        // The owner invites the existing account as admin: the page says an invitation went out, shows no password
        // and lists the invitation as pending; the invitee is not a member.
        await owner.OpenAsync("/team");
        await owner.Page.FillAsync("#email", invitee);
        await owner.Page.SelectOptionAsync("#role", WorkspaceRoles.Admin);
        await owner.Page.Locator("form[action*='handler=Invite'] [type=submit]").ClickAsync();
        await Assertions.Expect(owner.Page.Locator("[role=status]")).ToContainTextAsync($"Invitation sent to {invitee}");
        await AssertNoPasswordShownAsync(owner.Page, Password);
        // Post, redirect, get: the page showing the result is a GET of /team, so a reload sends nothing again.
        Assert.Equal("/team", new Uri(owner.Page.Url).AbsolutePath);
        await owner.Page.ReloadAsync();
        await Assertions.Expect(owner.Page.Locator("[role=status]")).ToHaveCountAsync(0);
        await Assertions.Expect(owner.Page.Locator("tr[data-invitation]", new() { HasText = invitee })).ToHaveCountAsync(1);
        Assert.DoesNotContain(invitee, await MemberEmailsAsync(owner.Page));
        await inviteeBrowser.Page.GotoAsync(Url("/workspaces"));
        Assert.DoesNotContain(DemoWorkspace.Name, await inviteeBrowser.Page.InnerTextAsync("table"));

        var link = (await mailbox.WaitForAsync(invitee, "You are invited")).Link("/invitations/accept");
        Assert.Contains(DemoWorkspace.Name, (await mailbox.WaitForAsync(invitee, "You are invited")).Subject);

        // Someone else's account following the link is refused, and the invitation stays pending.
        await strangerBrowser.Page.GotoAsync(link.ToString());
        await Assertions.Expect(strangerBrowser.Page.Locator("#other-account")).ToBeVisibleAsync();
        await strangerBrowser.Page.Locator("button[value=accept]").ClickAsync();
        await Assertions.Expect(strangerBrowser.Page.Locator("[role=alert]")).ToContainTextAsync("sent to another e-mail address");
        await strangerBrowser.Page.GotoAsync(Url("/workspaces"));
        Assert.DoesNotContain(DemoWorkspace.Name, await strangerBrowser.Page.InnerTextAsync("table"));

        // Opening the link changes nothing; accepting makes the invitee a member, in the demo workspace at once.
        await inviteeBrowser.Page.GotoAsync(link.ToString());
        await owner.Page.ReloadAsync();
        Assert.DoesNotContain(invitee, await MemberEmailsAsync(owner.Page));
        await inviteeBrowser.Page.Locator("button[value=accept]").ClickAsync();
        await inviteeBrowser.Page.WaitForLoadStateAsync(LoadState.NetworkIdle);
        Assert.True(new Uri(inviteeBrowser.Page.Url).AbsolutePath == "/team",
            $"Accepting led to {inviteeBrowser.Page.Url}: {await inviteeBrowser.Page.InnerTextAsync("main")}");
        await Assertions.Expect(inviteeBrowser.Page.Locator("#current-workspace")).ToContainTextAsync(DemoWorkspace.Name);

        await owner.Page.ReloadAsync();
        Assert.Contains(invitee, await MemberEmailsAsync(owner.Page));
        await Assertions.Expect(owner.Page.Locator("tr[data-invitation]", new() { HasText = invitee })).ToHaveCountAsync(0);
        await AssertNoPasswordShownAsync(owner.Page, Password);

        // The link is spent.
        await strangerBrowser.Page.GotoAsync(link.ToString());
        await Assertions.Expect(strangerBrowser.Page.Locator("[role=alert]")).ToContainTextAsync("expired, was revoked or was already used");

        // The reloads sent no second invitation.
        Assert.Single(await mailbox.ListAsync(invitee), m => m.Subject.Contains("You are invited", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task An_unverified_account_cannot_consent_for_an_agent_until_it_follows_its_link()
    {
        using var mailbox = new Mailbox(platform);
        var email = $"unverified-{Guid.NewGuid():N}@shop.example";
        await using var person = await BrowserPerson.StartAsync(platform);
        await person.Page.GotoAsync(Url("/account/signup"));
        await person.Page.FillAsync("#WorkspaceName", "Unverified Shop");
        await person.Page.FillAsync("#Email", email);
        await person.Page.FillAsync("#Password", Password);
        await person.Page.Locator("main form [type=submit]").ClickAsync();
        await Assertions.Expect(person.Page.Locator("#check-inbox")).ToBeVisibleAsync();
        await SignInAsync(person.Page, email, Password);
        await Assertions.Expect(person.Page.Locator("#verify-email")).ToBeVisibleAsync();

        using var http = platform.CreateClient("authserver");
        var oauth = new OAuthTestClient(http);
        var clientId = await oauth.RegisterPublicClientAsync(redirectUri: person.RedirectUri);
        var authorize = oauth.AuthorizeUrl(clientId, OAuthTestClient.NewPkce(), "read:orders", person.RedirectUri);
        await person.Page.GotoAsync(authorize.ToString());
        await Assertions.Expect(person.Page.Locator("#verify-email")).ToContainTextAsync("Verify your e-mail first");
        Assert.Equal(0, await person.Page.Locator("button[name=decision][value=allow]").CountAsync());

        var link = (await mailbox.WaitForAsync(email, "Verify your e-mail")).Link("/account/verify");
        await person.Page.GotoAsync(link.ToString());
        await person.Page.Locator("main form [type=submit]").ClickAsync();
        await Assertions.Expect(person.Page.Locator("[role=status]")).ToContainTextAsync("Your e-mail is verified");
        // Single use: the same link again is refused.
        await person.Page.GotoAsync(link.ToString());
        await person.Page.Locator("main form [type=submit]").ClickAsync();
        await Assertions.Expect(person.Page.Locator("[role=alert]")).ToContainTextAsync("expired or was already used");

        await person.Page.GotoAsync(authorize.ToString());
        await SignInIfAskedAsync(person.Page, email, Password);
        await Assertions.Expect(person.Page.Locator("button[name=decision][value=allow]")).ToBeVisibleAsync();
    }

    [Fact]
    public async Task Sign_up_and_reset_read_the_same_for_known_and_unknown_emails_and_the_owner_learns_which_by_mail()
    {
        using var mailbox = new Mailbox(platform);
        await using var person = await BrowserPerson.StartAsync(platform);
        var unknown = $"nobody-{Guid.NewGuid():N}@shop.example";

        var known = await SignUpFormTextAsync(person.Page, DemoWorkspace.DefaultOwnerEmail);
        var fresh = await SignUpFormTextAsync(person.Page, unknown);
        Assert.Equal(known.Replace(DemoWorkspace.DefaultOwnerEmail, "X"), fresh.Replace(unknown, "X"));
        await mailbox.WaitForAsync(DemoWorkspace.DefaultOwnerEmail, "You already have an AlyAspire account");
        await mailbox.WaitForAsync(unknown, "Verify your e-mail");

        var resetKnown = await ForgotFormTextAsync(person.Page, DemoWorkspace.DefaultOwnerEmail);
        var resetUnknown = await ForgotFormTextAsync(person.Page, $"nobody-{Guid.NewGuid():N}@shop.example");
        Assert.Equal(resetKnown.Replace(DemoWorkspace.DefaultOwnerEmail, "X"), System.Text.RegularExpressions.Regex.Replace(resetUnknown, @"nobody-\w+@shop\.example", "X"));
    }

    [Fact]
    public async Task A_password_is_changed_when_signed_in_and_reset_by_mail_and_a_reset_ends_every_session()
    {
        using var mailbox = new Mailbox(platform);
        var email = $"passwords-{Guid.NewGuid():N}@shop.example";
        const string changed = "a-changed-password-2";
        const string reset = "a-reset-password-3";
        await using var person = await BrowserPerson.StartAsync(platform);
        await using var otherDevice = await BrowserPerson.StartAsync(platform);
        await SignUpAndVerifyAsync(person.Page, mailbox, email, "Password Shop");
        await SignInAsync(otherDevice.Page, email, Password);

        // Change: the current password first; this browser stays signed in, the other device's session ends.
        await person.Page.GotoAsync(Url("/account/password"));
        await person.Page.FillAsync("#CurrentPassword", "not-the-password");
        await person.Page.FillAsync("#NewPassword", changed);
        await person.Page.Locator("form:has(#NewPassword) [type=submit]").ClickAsync();
        await Assertions.Expect(person.Page.Locator("[role=alert]")).ToContainTextAsync("current password is not correct");
        await person.Page.FillAsync("#CurrentPassword", Password);
        await person.Page.FillAsync("#NewPassword", changed);
        await person.Page.Locator("form:has(#NewPassword) [type=submit]").ClickAsync();
        await Assertions.Expect(person.Page.Locator("[role=status]")).ToContainTextAsync("Your password is changed");
        await person.Page.GotoAsync(Url("/team"));
        Assert.EndsWith("/team", person.Page.Url);
        await otherDevice.Page.GotoAsync(Url("/team"));
        Assert.Contains("/account/login", otherDevice.Page.Url);
        await SignInAsync(otherDevice.Page, email, changed);
        Assert.DoesNotContain("/account/login", otherDevice.Page.Url);

        // Reset by mail: a single-use link; afterwards every session of the account is over.
        await using var stranger = await BrowserPerson.StartAsync(platform);
        await stranger.Page.GotoAsync(Url("/account/forgot-password"));
        await stranger.Page.FillAsync("#Email", email);
        var asked = DateTimeOffset.UtcNow.AddSeconds(-5);
        await stranger.Page.Locator("main form [type=submit]").ClickAsync();
        await Assertions.Expect(stranger.Page.Locator("#check-inbox")).ToBeVisibleAsync();
        var link = (await mailbox.WaitForAsync(email, "Reset your AlyAspire password", asked)).Link("/account/reset-password");
        await stranger.Page.GotoAsync(link.ToString());
        await stranger.Page.FillAsync("#Password", reset);
        await stranger.Page.Locator("main form [type=submit]").ClickAsync();
        await Assertions.Expect(stranger.Page.Locator("[role=status]")).ToContainTextAsync("every earlier session has ended");

        foreach (var device in new[] { person, otherDevice })
        {
            await device.Page.GotoAsync(Url("/team"));
            Assert.Contains("/account/login", device.Page.Url);
        }

        await SignInAsync(person.Page, email, changed);
        await Assertions.Expect(person.Page.Locator("[role=alert]")).ToContainTextAsync("not correct");
        await SignInAsync(person.Page, email, reset);
        Assert.DoesNotContain("/account/login", person.Page.Url);

        await stranger.Page.GotoAsync(link.ToString());
        await Assertions.Expect(stranger.Page.Locator("[role=alert]")).ToContainTextAsync("expired or was already used");
        Assert.Equal(0, await stranger.Page.Locator("#Password").CountAsync());
    }

    private string Url(string path) => new Uri(platform.Endpoint("authserver"), path).ToString();

    private async Task SignUpAndVerifyAsync(IPage page, Mailbox mailbox, string email, string workspaceName)
    {
        await page.GotoAsync(Url("/account/signup"));
        await page.FillAsync("#WorkspaceName", workspaceName);
        await page.FillAsync("#Email", email);
        await page.FillAsync("#Password", Password);
        await page.Locator("main form [type=submit]").ClickAsync();
        await Assertions.Expect(page.Locator("#check-inbox")).ToContainTextAsync(email);
        var link = (await mailbox.WaitForAsync(email, "Verify your e-mail")).Link("/account/verify");
        await page.GotoAsync(link.ToString());
        await page.Locator("main form [type=submit]").ClickAsync();
        await Assertions.Expect(page.Locator("[role=status]")).ToContainTextAsync("Your e-mail is verified");
        await SignInIfAskedAsync(page, email, Password);
    }

    private async Task SignInAsync(IPage page, string email, string password)
    {
        await page.GotoAsync(Url("/account/login"));
        await SignInIfAskedAsync(page, email, password);
    }

    private static async Task SignInIfAskedAsync(IPage page, string email, string password)
    {
        if (await page.Locator("input[name=Password]").CountAsync() == 0)
        {
            return;
        }

        await page.FillAsync("input[name=Email]", email);
        await page.FillAsync("input[name=Password]", password);
        await page.Locator("form:has(input[name=Password]) [type=submit]").ClickAsync();
        await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
    }

    private async Task<string> SignUpFormTextAsync(IPage page, string email)
    {
        await page.GotoAsync(Url("/account/signup"));
        await page.FillAsync("#WorkspaceName", "Probe");
        await page.FillAsync("#Email", email);
        await page.FillAsync("#Password", Password);
        await page.Locator("main form [type=submit]").ClickAsync();
        await Assertions.Expect(page.Locator("#check-inbox")).ToBeVisibleAsync();
        return await page.InnerTextAsync("main");
    }

    private async Task<string> ForgotFormTextAsync(IPage page, string email)
    {
        await page.GotoAsync(Url("/account/forgot-password"));
        await page.FillAsync("#Email", email);
        await page.Locator("main form [type=submit]").ClickAsync();
        await Assertions.Expect(page.Locator("#check-inbox")).ToBeVisibleAsync();
        return await page.InnerTextAsync("main");
    }

    private static async Task<string> MemberEmailsAsync(IPage page) => await page.InnerTextAsync("table >> nth=0");

    /// <summary>No password in the page: no password-looking field with a value, and not the invitee's password in the HTML.</summary>
    private static async Task AssertNoPasswordShownAsync(IPage page, string password)
    {
        var html = await page.ContentAsync();
        Assert.DoesNotContain(password, html, StringComparison.Ordinal);
        Assert.DoesNotContain("one-time password", html, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(0, await page.Locator("#one-time-password, input.secret").CountAsync());
        Assert.Equal(0, await page.Locator("input[type=password]").CountAsync());
    }
}
