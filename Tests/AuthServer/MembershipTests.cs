using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using AlyAspire.Shared.Credentials;
using AlyAspire.Shared.Development;
using AlyAspire.Shared.Scopes;
using AlyAspire.Tests.EndToEnd;
using AlyAspire.Tests.Infrastructure;

namespace AlyAspire.Tests.AuthServer;

/// <summary>
/// Membership as the AuthServer owns it: removal and role changes withdraw a person's grants durably (even while
/// Redis does not answer), the last owner stays, and a workspace created by sign-up has its store from the start.
/// </summary>
[Collection(PlatformCollection.Name)]
public sealed class MembershipTests(PlatformFixture platform)
{
    private const string Password = "a-long-password-1";

    [Fact]
    public async Task A_member_removed_while_Redis_is_paused_cannot_use_any_token_once_the_removal_returned_and_Redis_is_back()
    {
        var (member, email, memberId) = await JoinDemoWorkspaceAsync(WorkspaceRoles.Admin);
        using var _ = member;
        var (clientId, tokens) = await AuthorizeAgentAsync(member, email);
        var accessToken = tokens.GetProperty("access_token").GetString()!;
        var authorizationId = (await AuthServerSteps.IntrospectAsync(platform, accessToken)).GetProperty("authorization_id").GetString()!;
        // Accepted, and so cached by the StorefrontApi replicas.
        for (var i = 0; i < 4; i++)
        {
            Assert.Equal(HttpStatusCode.OK, await AgentCalls.GetOrdersAsync(platform, accessToken));
        }

        using var owner = new AuthServerBrowser(platform.Endpoint("authserver"));
        await owner.SignInAsync(AuthServerSteps.OwnerEmail, AuthServerSteps.OwnerPassword);
        var team = await owner.GetAsync("/team");
        var removeForm = team.Document!.Forms.Single(f =>
            (f.GetAttribute("action") ?? "").Contains("handler=Remove") && f.InnerHtml.Contains(memberId.ToString()));

        var redis = await RedisProcessAsync();
        Signal(redis, "STOP");
        try
        {
            var removed = await team.SubmitAsync(owner, removeForm, new());
            Assert.Equal(HttpStatusCode.OK, removed.Status);
            Assert.Contains("Member removed", removed.Body);
            Assert.DoesNotContain(email, removed.Document!.QuerySelector("table")!.TextContent);
        }
        finally
        {
            Signal(redis, "CONT");
        }

        // Redis answers again; nobody waited for the outbox. No replica, cached or not, accepts the token; the refresh
        // token is dead; introspection says inactive.
        for (var i = 0; i < 6; i++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, await AgentCalls.GetOrdersAsync(platform, accessToken));
        }

        using var http = platform.CreateClient("authserver");
        var (refreshStatus, refreshBody) = await new OAuthTestClient(http).RefreshAsync(clientId, tokens.GetProperty("refresh_token").GetString()!);
        Assert.Equal(HttpStatusCode.BadRequest, refreshStatus);
        Assert.Equal("invalid_grant", refreshBody.GetProperty("error").GetString());
        Assert.False(AuthServerSteps.IsActive(await AuthServerSteps.IntrospectAsync(platform, accessToken)));

        // The outbox delivers the revocation marker once Redis takes it.
        await using var connection = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(await platform.ConnectionStringAsync("redis"));
        await Eventually.SucceedsAsync(async () =>
            Assert.True(await connection.GetDatabase().KeyExistsAsync(RevocationSignals.OAuthAuthorization(authorizationId))), TimeSpan.FromSeconds(90));
    }

    [Fact]
    public async Task Lowering_a_role_withdraws_the_persons_grants_and_the_last_owner_can_be_neither_demoted_nor_removed()
    {
        var (member, email, memberId) = await JoinWorkspaceAsync(WorkspaceRoles.Owner, out var workspaceOwner);
        using var _ = member;
        using var __ = workspaceOwner;
        var (_, tokens) = await AuthorizeAgentAsync(member, email);
        var accessToken = tokens.GetProperty("access_token").GetString()!;
        Assert.Equal(HttpStatusCode.OK, await AgentCalls.GetOrdersAsync(platform, accessToken));

        // Two owners remove each other at the same moment: one removal wins, the workspace keeps an owner.
        var ownerId = Guid.Parse(AuthServerSteps.JwtPart(workspaceOwner.SessionJwt!, 1).GetProperty("sub").GetString()!);
        var ownerTeam = await workspaceOwner.GetAsync("/team");
        var memberTeam = await member.GetAsync("/team");
        var results = await Task.WhenAll(
            ownerTeam.SubmitAsync(workspaceOwner, RemoveForm(ownerTeam, memberId), new()),
            memberTeam.SubmitAsync(member, RemoveForm(memberTeam, ownerId), new()));
        var statuses = results.Select(r => r.Status).ToList();
        Assert.Single(statuses, s => s == HttpStatusCode.OK);
        var survivor = statuses[0] == HttpStatusCode.OK ? workspaceOwner : member;
        var survivorTeam = await survivor.GetAsync("/team");
        Assert.Equal(HttpStatusCode.OK, survivorTeam.Status);
        Assert.Equal(1, survivorTeam.Document!.QuerySelectorAll("table")[0].QuerySelectorAll("tbody tr").Length);

        // The last owner cannot demote or remove itself away.
        var survivorId = Guid.Parse(AuthServerSteps.JwtPart(survivor.SessionJwt!, 1).GetProperty("sub").GetString()!);
        using var roleChange = await PostAsync(survivor, survivorTeam, "/team?handler=Role", new() { ["userId"] = survivorId.ToString(), ["role"] = WorkspaceRoles.Member });
        Assert.Equal(HttpStatusCode.Conflict, roleChange.StatusCode);
        Assert.Contains("last owner", await roleChange.Content.ReadAsStringAsync());
        using var removal = await PostAsync(survivor, survivorTeam, "/team?handler=Remove", new() { ["userId"] = survivorId.ToString() });
        Assert.Equal(HttpStatusCode.BadRequest, removal.StatusCode);
        Assert.Equal(1, (await survivor.GetAsync("/team")).Document!.QuerySelectorAll("table")[0].QuerySelectorAll("tbody tr").Length);
    }

    [Fact]
    public async Task A_role_lowered_by_an_owner_withdraws_that_persons_grants_in_the_workspace()
    {
        var (member, email, memberId) = await JoinDemoWorkspaceAsync(WorkspaceRoles.Admin);
        using var _ = member;
        var (_, tokens) = await AuthorizeAgentAsync(member, email);
        var accessToken = tokens.GetProperty("access_token").GetString()!;
        Assert.Equal(HttpStatusCode.OK, await AgentCalls.GetOrdersAsync(platform, accessToken));

        using var owner = new AuthServerBrowser(platform.Endpoint("authserver"));
        await owner.SignInAsync(AuthServerSteps.OwnerEmail, AuthServerSteps.OwnerPassword);
        var team = await owner.GetAsync("/team");
        var roleForm = team.Document!.Forms.Single(f => (f.GetAttribute("action") ?? "").Contains("handler=Role") && f.InnerHtml.Contains(memberId.ToString()));
        var changed = await team.SubmitAsync(owner, roleForm, new() { ["role"] = WorkspaceRoles.Member });
        Assert.Equal(HttpStatusCode.OK, changed.Status);
        Assert.Contains("Role changed to member", changed.Body);

        Assert.Equal(HttpStatusCode.Unauthorized, await AgentCalls.GetOrdersAsync(platform, accessToken));
        // Still a member, with the member role.
        Assert.Equal(WorkspaceRoles.Member, AuthServerSteps.JwtPart((await RefreshSessionAsync(member)).SessionJwt!, 1).GetProperty("role").GetString());
    }

    [Fact]
    public async Task A_workspace_created_by_sign_up_gets_200_from_every_GET_merchant_endpoint_with_its_first_key()
    {
        using var founder = new AuthServerBrowser(platform.Endpoint("authserver"));
        await founder.SignUpVerifiedAsync(platform, $"founder-{Guid.NewGuid():N}@shop.example", Password, "Brand New Shop");
        var keys = await founder.GetAsync("/settings/api-keys");
        var created = await keys.SubmitAsync(founder, keys.FormFor("Create"), new() { ["name"] = "first key" },
            repeated: ScopeCatalogue.Names.Select(s => KeyValuePair.Create("scopes", s)));
        Assert.Equal(HttpStatusCode.OK, created.Status);
        var secret = created.Document!.QuerySelector("#new-secret")!.GetAttribute("value")!;

        using var storefront = platform.CreateClient("storefrontapi");
        storefront.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", secret);
        string[] lists = ["/orders", "/products", "/collections", "/pages", "/customers", "/customer-groups", "/sites", "/domains", "/media", "/api-keys", "/team"];
        foreach (var path in lists)
        {
            using var response = await storefront.GetAsync("/api/storefront/v1/merchant" + path);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }

        foreach (var path in new[] { "/workspace/settings", "/voice-agent", "/analytics/summary?days=30", "/activity?limit=10", "/me" })
        {
            using var response = await storefront.GetAsync("/api/storefront/v1/merchant" + path);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }

        // Empty lists for a new store, and settings that can be changed and read back.
        var orders = await storefront.GetFromJsonAsync<JsonElement>("/api/storefront/v1/merchant/orders");
        Assert.Equal(0, orders.GetProperty("items").GetArrayLength());
        using var patch = await storefront.PatchAsJsonAsync("/api/storefront/v1/merchant/workspace/settings", new { timezone = "Europe/Berlin" });
        Assert.Equal(HttpStatusCode.OK, patch.StatusCode);
        var settings = await storefront.GetFromJsonAsync<JsonElement>("/api/storefront/v1/merchant/workspace/settings");
        Assert.Equal("Europe/Berlin", settings.GetProperty("timezone").GetString());
    }

    private static AngleSharp.Html.Dom.IHtmlFormElement RemoveForm(AuthServerBrowser.Page team, Guid userId) => team.Document!.Forms.Single(f =>
        (f.GetAttribute("action") ?? "").Contains("handler=Remove") && f.InnerHtml.Contains(userId.ToString()));

    private static async Task<HttpResponseMessage> PostAsync(AuthServerBrowser browser, AuthServerBrowser.Page page, string url, Dictionary<string, string> fields)
    {
        var token = page.Document!.QuerySelector("input[name=__RequestVerificationToken]")!.GetAttribute("value")!;
        fields["__RequestVerificationToken"] = token;
        return await browser.Http.PostAsync(url, new FormUrlEncodedContent(fields));
    }

    private static async Task<AuthServerBrowser> RefreshSessionAsync(AuthServerBrowser browser)
    {
        await browser.GetAsync("/team");
        return browser;
    }

    /// <summary>A verified person with a workspace of their own who joined the demo workspace with <paramref name="role"/>.</summary>
    private async Task<(AuthServerBrowser Person, string Email, Guid UserId)> JoinDemoWorkspaceAsync(string role)
    {
        using var owner = new AuthServerBrowser(platform.Endpoint("authserver"));
        await owner.SignInAsync(AuthServerSteps.OwnerEmail, AuthServerSteps.OwnerPassword);
        return await JoinAsync(owner, role);
    }

    /// <summary>A new workspace (its founder returned in <paramref name="founder"/>) that a second person joined with <paramref name="role"/>.</summary>
    private Task<(AuthServerBrowser Person, string Email, Guid UserId)> JoinWorkspaceAsync(string role, out AuthServerBrowser founder)
    {
        var browser = new AuthServerBrowser(platform.Endpoint("authserver"));
        founder = browser;
        return FoundAndJoinAsync(browser, role);
    }

    private async Task<(AuthServerBrowser Person, string Email, Guid UserId)> FoundAndJoinAsync(AuthServerBrowser founder, string role)
    {
        await founder.SignUpVerifiedAsync(platform, $"founder-{Guid.NewGuid():N}@shop.example", Password, "Two Owners");
        return await JoinAsync(founder, role);
    }

    private async Task<(AuthServerBrowser Person, string Email, Guid UserId)> JoinAsync(AuthServerBrowser inviter, string role)
    {
        var email = $"member-{Guid.NewGuid():N}@shop.example";
        var person = new AuthServerBrowser(platform.Endpoint("authserver"));
        await person.SignUpVerifiedAsync(platform, email, Password, "Own Shop");
        var link = await inviter.InviteAsync(platform, email, role);
        var accepted = await person.AcceptInvitationAsync(link);
        Assert.Equal("/team", accepted.Url.AbsolutePath);
        var userId = Guid.Parse(AuthServerSteps.JwtPart(person.SessionJwt!, 1).GetProperty("sub").GetString()!);
        return (person, email, userId);
    }

    /// <summary>The person consents, for the workspace their session is in, to an agent: its tokens.</summary>
    private async Task<(string ClientId, JsonElement Tokens)> AuthorizeAgentAsync(AuthServerBrowser person, string email)
    {
        using var http = platform.CreateClient("authserver");
        var oauth = new OAuthTestClient(http);
        var clientId = await oauth.RegisterPublicClientAsync(scope: "read:orders");
        var pkce = OAuthTestClient.NewPkce();
        var workspace = AuthServerSteps.JwtPart(person.SessionJwt!, 1).GetProperty("org").GetString()!;
        var end = await person.AuthorizeAsync(oauth.AuthorizeUrl(clientId, pkce, "read:orders"), email, Password, workspace: workspace);
        var tokens = await oauth.RedeemCodeAsync(clientId, AuthServerSteps.Query(end.Url)["code"], pkce);
        return (clientId, tokens);
    }

    /// <summary>The process id of the test stack's Redis server, from its resource snapshot.</summary>
    private async Task<int> RedisProcessAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var running = await platform.App.ResourceNotifications.WaitForResourceAsync("redis",
            e => e.Snapshot.State?.Text == KnownResourceStates.Running && e.Snapshot.Properties.Any(p => p.Name == "executable.pid"), cts.Token);
        return Convert.ToInt32(running.Snapshot.Properties.First(p => p.Name == "executable.pid").Value, System.Globalization.CultureInfo.InvariantCulture);
    }

    private static void Signal(int pid, string signal)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill", [$"-{signal}", pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]))!;
        kill.WaitForExit();
        Assert.Equal(0, kill.ExitCode);
    }
}
