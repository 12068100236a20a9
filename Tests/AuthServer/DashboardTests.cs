using System.Net;
using System.Text;
using AlyAspire.Shared.Credentials;
using AlyAspire.Shared.Development;
using AlyAspire.Shared.Scopes;
using AlyAspire.Tests.Infrastructure;

namespace AlyAspire.Tests.AuthServer;

/// <summary>The dashboard: session JWT, security headers, antiforgery on every form, team, connected apps.</summary>
[Collection(PlatformCollection.Name)]
public sealed class DashboardTests(PlatformFixture platform)
{
    [Fact]
    public async Task Signing_in_sets_an_httponly_lax_session_jwt_with_the_workspace_role_and_scopes()
    {
        using var browser = new AuthServerBrowser(platform.Endpoint("authserver"));
        var login = await browser.GetAsync("/account/login");
        using var post = await browser.Http.PostAsync("/account/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Email"] = AuthServerSteps.OwnerEmail, ["Password"] = AuthServerSteps.OwnerPassword,
            ["__RequestVerificationToken"] = login.Form("Password").Elements.First(e => e.GetAttribute("name") == "__RequestVerificationToken").GetAttribute("value")!,
        }));
        Assert.Equal(HttpStatusCode.Redirect, post.StatusCode);
        var setCookie = post.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith(CredentialFormats.DevelopmentSessionCookieName + "=", StringComparison.Ordinal));
        Assert.Contains("httponly", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=lax", setCookie, StringComparison.OrdinalIgnoreCase);

        var jwt = browser.SessionJwt!;
        Assert.Equal(CredentialKind.SessionJwt, CredentialFormats.Classify(jwt));
        var header = AuthServerSteps.JwtPart(jwt, 0);
        Assert.Equal("HS256", header.GetProperty("alg").GetString());
        var payload = AuthServerSteps.JwtPart(jwt, 1);
        Assert.True(Guid.TryParse(payload.GetProperty("sub").GetString(), out _));
        Assert.Equal(DemoWorkspace.Id.ToString(), payload.GetProperty("org").GetString());
        Assert.Equal(WorkspaceRoles.Owner, payload.GetProperty("role").GetString());
        Assert.Equal(ScopeCatalogue.Names.Order(), payload.GetProperty("scope").GetString()!.Split(' ').Order());
        var lifetime = payload.GetProperty("exp").GetInt64() - payload.GetProperty("iat").GetInt64();
        Assert.InRange(lifetime, 60, 60 * 60);

        var home = await browser.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, home.Status);
        Assert.Contains(DemoWorkspace.Name, home.Body);
    }

    [Fact]
    public async Task A_forged_or_missing_session_leads_to_the_sign_in_page()
    {
        using var browser = new AuthServerBrowser(platform.Endpoint("authserver"));
        var anonymous = await browser.GetAsync("/settings/api-keys");
        Assert.Equal("/account/login", anonymous.Url.AbsolutePath);
        Assert.Contains("ReturnUrl=%2Fsettings%2Fapi-keys", anonymous.Url.Query);

        var forged = Encode("""{"alg":"HS256","typ":"JWT"}""") + "." + Encode($$"""{"sub":"{{Guid.NewGuid()}}","org":"{{DemoWorkspace.Id}}","role":"owner","exp":4102444800}""") + ".c2lnbmF0dXJl";
        browser.Cookies.Add(platform.Endpoint("authserver"), new Cookie(CredentialFormats.DevelopmentSessionCookieName, forged));
        var withForged = await browser.GetAsync("/team");
        Assert.Equal("/account/login", withForged.Url.AbsolutePath);
    }

    [Fact]
    public async Task Pages_send_a_strict_content_security_policy_and_forbid_framing()
    {
        using var browser = new AuthServerBrowser(platform.Endpoint("authserver"));
        var page = await browser.GetAsync("/account/login");
        var csp = page.Response.Headers.GetValues("Content-Security-Policy").Single();
        Assert.Contains("default-src 'none'", csp);
        Assert.Contains("frame-ancestors 'none'", csp);
        Assert.Contains("script-src 'self'", csp);
        Assert.DoesNotContain("unsafe-inline", csp);
        Assert.Equal("DENY", page.Response.Headers.GetValues("X-Frame-Options").Single());
    }

    [Theory]
    [InlineData("/account/login", null)]
    [InlineData("/account/signup", null)]
    [InlineData("/account/logout", null)]
    [InlineData("/settings/api-keys", "Create")]
    [InlineData("/settings/api-keys", "Revoke")]
    [InlineData("/settings/api-keys", "Roll")]
    [InlineData("/connected-apps", "Revoke")]
    [InlineData("/team", "Invite")]
    [InlineData("/team", "Remove")]
    [InlineData("/team", "Role")]
    [InlineData("/team", "Resend")]
    [InlineData("/team", "Revoke")]
    [InlineData("/workspaces", "Switch")]
    [InlineData("/workspaces", "Create")]
    [InlineData("/account/password", null)]
    [InlineData("/account/forgot-password", null)]
    [InlineData("/account/reset-password", null)]
    [InlineData("/account/verify", null)]
    [InlineData("/account/verify", "Resend")]
    [InlineData("/invitations/accept", null)]
    public async Task Every_dashboard_form_refuses_a_post_without_its_antiforgery_token(string path, string? handler)
    {
        using var browser = new AuthServerBrowser(platform.Endpoint("authserver"));
        await browser.SignInAsync(AuthServerSteps.OwnerEmail, AuthServerSteps.OwnerPassword);
        var url = handler is null ? path : $"{path}?handler={handler}";
        using var response = await browser.Http.PostAsync(url, new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["name"] = "x", ["keyId"] = Guid.NewGuid().ToString(), ["authorizationId"] = "x", ["email"] = "a@b.example",
            ["role"] = "member", ["userId"] = Guid.NewGuid().ToString(), ["Email"] = "a@b.example", ["Password"] = "x",
        }));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task The_consent_form_refuses_a_post_without_its_antiforgery_token()
    {
        using var http = platform.CreateClient("authserver");
        var oauth = new OAuthTestClient(http);
        var clientId = await oauth.RegisterPublicClientAsync();
        using var browser = new AuthServerBrowser(platform.Endpoint("authserver"));
        await browser.SignInAsync(AuthServerSteps.OwnerEmail, AuthServerSteps.OwnerPassword);
        var consent = await browser.GetAsync(oauth.AuthorizeUrl(clientId, OAuthTestClient.NewPkce(), "read:orders").PathAndQuery);
        var refused = await consent.SubmitAsync(browser, consent.Form("decision"), new() { ["decision"] = "allow" }, withAntiforgery: false);
        Assert.Equal(HttpStatusCode.BadRequest, refused.Status);
    }

    [Fact]
    public async Task The_api_keys_page_offers_the_catalogue_scopes_in_plain_words()
    {
        using var browser = new AuthServerBrowser(platform.Endpoint("authserver"));
        await browser.SignInAsync(AuthServerSteps.OwnerEmail, AuthServerSteps.OwnerPassword);
        var page = await browser.GetAsync("/settings/api-keys");
        Assert.Equal(HttpStatusCode.OK, page.Status);
        var create = page.FormFor("Create");
        var offered = create.Elements.Where(e => e.GetAttribute("name") == "scopes").Select(e => e.GetAttribute("value")!).ToArray();
        Assert.Equal(ScopeCatalogue.Names.Order(), offered.Order());
        Assert.Contains("Create and revoke API keys", page.Body);
    }

    [Fact]
    public async Task An_invited_member_only_grants_what_the_member_role_allows()
    {
        var email = $"member-{Guid.NewGuid():N}@demo.store";
        const string password = "a-member-password-1";
        using var member = new AuthServerBrowser(platform.Endpoint("authserver"));
        await member.SignUpVerifiedAsync(platform, email, password, "Member's Own Shop");
        using var owner = new AuthServerBrowser(platform.Endpoint("authserver"));
        await owner.SignInAsync(AuthServerSteps.OwnerEmail, AuthServerSteps.OwnerPassword);
        var link = await owner.InviteAsync(platform, email, WorkspaceRoles.Member);
        var accepted = await member.AcceptInvitationAsync(link);
        Assert.Equal("/team", accepted.Url.AbsolutePath);
        Assert.Contains(email, (await owner.GetAsync("/team")).Body);

        using var http = platform.CreateClient("authserver");
        var oauth = new OAuthTestClient(http);
        var clientId = await oauth.RegisterPublicClientAsync(scope: "read:orders write:orders");
        var pkce = OAuthTestClient.NewPkce();
        var end = await member.AuthorizeAsync(oauth.AuthorizeUrl(clientId, pkce, "read:orders write:orders"), email, password, workspace: DemoWorkspace.Id.ToString());
        var tokens = await oauth.RedeemCodeAsync(clientId, AuthServerSteps.Query(end.Url)["code"], pkce);
        Assert.Equal("read:orders", tokens.GetProperty("scope").GetString());
        var introspection = await AuthServerSteps.IntrospectAsync(platform, tokens.GetProperty("access_token").GetString()!);
        Assert.Equal("read:orders", introspection.GetProperty("scope").GetString());
        Assert.Equal(DemoWorkspace.Id.ToString(), introspection.GetProperty("org").GetString());

        // The member's session carries the member role; the team page offers them no invite form.
        var payload = AuthServerSteps.JwtPart(member.SessionJwt!, 1);
        Assert.Equal(WorkspaceRoles.Member, payload.GetProperty("role").GetString());
        var memberTeam = await member.GetAsync("/team");
        Assert.Null(memberTeam.Document!.Forms.FirstOrDefault(f => (f.GetAttribute("action") ?? "").Contains("handler=Invite")));

        // Removed: the session stops working at once.
        var removeForm = (await owner.GetAsync("/team")).Document!.Forms.Single(f =>
            (f.GetAttribute("action") ?? "").Contains("handler=Remove") && f.InnerHtml.Contains(payload.GetProperty("sub").GetString()!));
        var removed = await (await owner.GetAsync("/team")).SubmitAsync(owner, removeForm, new());
        Assert.Equal(HttpStatusCode.OK, removed.Status);
        Assert.Equal("/account/login", (await member.GetAsync("/team")).Url.AbsolutePath);
        Assert.False(AuthServerSteps.IsActive(await AuthServerSteps.IntrospectAsync(platform, tokens.GetProperty("access_token").GetString()!)));
    }

    [Fact]
    public async Task Revoking_a_connected_app_ends_its_tokens_at_once_and_signals_resource_servers()
    {
        var (clientId, pkce, code) = await AuthServerSteps.AuthorizeAsync(platform);
        var (_, tokens) = await AuthServerSteps.TokenAsync(platform, OAuthTestClient.CodeRedemption(clientId, code, pkce.Verifier));
        var accessToken = tokens.GetProperty("access_token").GetString()!;
        var authorizationId = (await AuthServerSteps.IntrospectAsync(platform, accessToken)).GetProperty("authorization_id").GetString()!;

        using var browser = new AuthServerBrowser(platform.Endpoint("authserver"));
        await browser.SignInAsync(AuthServerSteps.OwnerEmail, AuthServerSteps.OwnerPassword);
        var page = await browser.GetAsync("/connected-apps");
        Assert.Contains(clientId, page.Body);
        var form = page.Document!.Forms.Single(f => f.InnerHtml.Contains(authorizationId));
        var after = await page.SubmitAsync(browser, form, new());
        Assert.Equal(HttpStatusCode.OK, after.Status);
        Assert.DoesNotContain(authorizationId, after.Body);

        Assert.False(AuthServerSteps.IsActive(await AuthServerSteps.IntrospectAsync(platform, accessToken)));
        using var http = platform.CreateClient("authserver");
        var (refreshStatus, _) = await new OAuthTestClient(http).RefreshAsync(clientId, tokens.GetProperty("refresh_token").GetString()!);
        Assert.Equal(HttpStatusCode.BadRequest, refreshStatus);
        await using var redis = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(await platform.ConnectionStringAsync("redis"));
        Assert.True(await redis.GetDatabase().KeyExistsAsync(RevocationSignals.OAuthAuthorization(authorizationId)));
    }

    [Fact]
    public async Task Signing_up_creates_a_workspace_owned_by_the_new_person_once_the_email_is_verified()
    {
        using var browser = new AuthServerBrowser(platform.Endpoint("authserver"));
        var page = await browser.GetAsync("/account/signup");
        var email = $"founder-{Guid.NewGuid():N}@shop.example";
        var sent = await page.SubmitAsync(browser, page.Form("WorkspaceName"),
            new() { ["WorkspaceName"] = "Founder's Shop", ["Email"] = email, ["Password"] = "a-long-password-1" });
        Assert.Equal(HttpStatusCode.OK, sent.Status);
        Assert.NotNull(sent.Document!.QuerySelector("#check-inbox"));
        Assert.Null(browser.SessionJwt);

        using var mailbox = new Mailbox(platform);
        var verify = await browser.GetAsync((await mailbox.WaitForAsync(email, "Verify your e-mail")).Link("/account/verify").PathAndQuery);
        Assert.Equal("/account/login", (await verify.SubmitAsync(browser, verify.Form("Token"), new())).Url.AbsolutePath);
        var done = await browser.SignInAsync(email, "a-long-password-1");
        Assert.Equal(HttpStatusCode.OK, done.Status);
        Assert.Contains("Founder&#x27;s Shop", done.Body);
        Assert.Null(done.Document!.QuerySelector("#verify-email"));
        var payload = AuthServerSteps.JwtPart(browser.SessionJwt!, 1);
        Assert.Equal(WorkspaceRoles.Owner, payload.GetProperty("role").GetString());
        Assert.NotEqual(DemoWorkspace.Id.ToString(), payload.GetProperty("org").GetString());

        // Signing up again with the same e-mail reads the same; the mail tells the owner they have an account.
        using var other = new AuthServerBrowser(platform.Endpoint("authserver"));
        var againPage = await other.GetAsync("/account/signup");
        var again = await againPage.SubmitAsync(other, againPage.Form("WorkspaceName"),
            new() { ["WorkspaceName"] = "Copy", ["Email"] = email, ["Password"] = "another-password-2" });
        Assert.Equal(HttpStatusCode.OK, again.Status);
        Assert.NotNull(again.Document!.QuerySelector("#check-inbox"));
        await mailbox.WaitForAsync(email, "You already have an AlyAspire account");
        Assert.Equal(HttpStatusCode.Unauthorized, (await other.SignInAsync(email, "another-password-2")).Status);
    }

    [Fact]
    public async Task A_wrong_password_is_refused_without_saying_which_part_was_wrong()
    {
        using var browser = new AuthServerBrowser(platform.Endpoint("authserver"));
        var wrongPassword = await browser.SignInAsync(AuthServerSteps.OwnerEmail, "not-the-password");
        var unknownUser = await browser.SignInAsync("nobody@nowhere.example", "not-the-password");
        Assert.Equal(HttpStatusCode.Unauthorized, wrongPassword.Status);
        Assert.Equal(HttpStatusCode.Unauthorized, unknownUser.Status);
        Assert.Null(browser.SessionJwt);
        Assert.Contains("The e-mail or password is not correct.", wrongPassword.Body);
        Assert.Contains("The e-mail or password is not correct.", unknownUser.Body);
    }

    private static string Encode(string json) => Convert.ToBase64String(Encoding.UTF8.GetBytes(json)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
