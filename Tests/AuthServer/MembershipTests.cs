using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;
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
    public async Task A_grant_whose_membership_is_gone_is_refused_even_without_its_revocation()
    {
        var (member, email, memberId) = await JoinDemoWorkspaceAsync(WorkspaceRoles.Admin);
        using var _ = member;
        var (clientId, tokens) = await AuthorizeAgentAsync(member, email);
        var workspace = Guid.Parse(AuthServerSteps.JwtPart(member.SessionJwt!, 1).GetProperty("org").GetString()!);
        using var http = platform.CreateClient("authserver");
        var oauth = new OAuthTestClient(http);
        // While the membership stands, the grant refreshes (its membership check finds the row).
        var (status, refreshed) = await oauth.RefreshAsync(clientId, tokens.GetProperty("refresh_token").GetString()!);
        Assert.Equal(HttpStatusCode.OK, status);

        // The membership row goes, as a removal whose revocations were lost would leave it: nothing is revoked.
        await using (var connection = new NpgsqlConnection(await platform.ConnectionStringAsync("authdb")))
        {
            await connection.OpenAsync();
            await using var delete = new NpgsqlCommand("""DELETE FROM memberships WHERE "WorkspaceId" = $1 AND "UserId" = $2""", connection)
            {
                Parameters = { new() { Value = workspace }, new() { Value = memberId } },
            };
            Assert.Equal(1, await delete.ExecuteNonQueryAsync());
        }

        var (refusedStatus, refused) = await oauth.RefreshAsync(clientId, refreshed.GetProperty("refresh_token").GetString()!);
        Assert.Equal(HttpStatusCode.BadRequest, refusedStatus);
        Assert.Equal("invalid_grant", refused.GetProperty("error").GetString());
        Assert.False(AuthServerSteps.IsActive(await AuthServerSteps.IntrospectAsync(platform, refreshed.GetProperty("access_token").GetString()!)));
    }

    [Fact]
    public async Task Two_owners_removing_each_other_at_once_leave_one_and_the_last_owner_can_be_neither_demoted_nor_removed()
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
        // The loser is refused, or (if its request came after the winner's) no longer signed in at all.
        var won = results.Select(r => r.Url.AbsolutePath == "/team" && r.Body.Contains("Member removed", StringComparison.Ordinal)).ToList();
        Assert.Single(won, w => w);
        Assert.All(results, r => Assert.NotEqual(HttpStatusCode.InternalServerError, r.Status));
        var survivor = won[0] ? workspaceOwner : member;
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
        using var storefront = await StorefrontWithFirstKeyAsync(founder);
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

    [Fact]
    public async Task The_storefront_team_endpoints_read_and_change_the_AuthServers_memberships_and_invitations()
    {
        using var founder = new AuthServerBrowser(platform.Endpoint("authserver"));
        var founderEmail = $"founder-{Guid.NewGuid():N}@shop.example";
        await founder.SignUpVerifiedAsync(platform, founderEmail, Password, "Agent Managed Shop");
        var founderId = AuthServerSteps.JwtPart(founder.SessionJwt!, 1).GetProperty("sub").GetString()!;
        using var storefront = await StorefrontWithFirstKeyAsync(founder);

        var team = await storefront.GetFromJsonAsync<JsonElement>("/api/storefront/v1/merchant/team");
        var owner = team.EnumerateArray().Single();
        Assert.Equal(founderEmail, owner.GetProperty("email").GetString());
        Assert.Equal(WorkspaceRoles.Owner, owner.GetProperty("role").GetString());
        Assert.Equal("active", owner.GetProperty("status").GetString());

        // An agent's invitation is a real one: mailed, pending in the dashboard, not a membership.
        var invitee = $"agent-invited-{Guid.NewGuid():N}@shop.example";
        using var invited = await storefront.PostAsJsonAsync("/api/storefront/v1/merchant/team/invitations", new { email = invitee, role = WorkspaceRoles.Member });
        Assert.Equal(HttpStatusCode.Created, invited.StatusCode);
        var invitation = await invited.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("invited", invitation.GetProperty("status").GetString());
        using var mailbox = new Mailbox(platform);
        Assert.Contains("Agent Managed Shop", (await mailbox.WaitForAsync(invitee, "You are invited")).Subject);
        var page = await founder.GetAsync("/team");
        Assert.Contains(invitee, page.Document!.QuerySelectorAll("tr[data-invitation]").Select(r => r.TextContent).Single());
        Assert.DoesNotContain(invitee, page.Document.QuerySelectorAll("table")[0].TextContent);

        // A key acts with an admin's rules: it cannot remove the owner; it can withdraw the invitation.
        using var removeOwner = await storefront.DeleteAsync($"/api/storefront/v1/merchant/team/{founderId}");
        Assert.Equal(HttpStatusCode.Forbidden, removeOwner.StatusCode);
        Assert.Equal("application/problem+json", removeOwner.Content.Headers.ContentType?.MediaType);
        using var withdraw = await storefront.DeleteAsync($"/api/storefront/v1/merchant/team/{invitation.GetProperty("id").GetGuid()}");
        Assert.Equal(HttpStatusCode.NoContent, withdraw.StatusCode);
        Assert.Empty((await founder.GetAsync("/team")).Document!.QuerySelectorAll("tr[data-invitation]"));
        Assert.Single((await storefront.GetFromJsonAsync<JsonElement>("/api/storefront/v1/merchant/team")).EnumerateArray());
    }

    /// <summary>The signed-in owner's first API key, with every scope, on a StorefrontApi client.</summary>
    private async Task<HttpClient> StorefrontWithFirstKeyAsync(AuthServerBrowser owner)
    {
        var keys = await owner.GetAsync("/settings/api-keys");
        var created = await keys.SubmitAsync(owner, keys.FormFor("Create"), new() { ["name"] = "first key" },
            repeated: ScopeCatalogue.Names.Select(s => KeyValuePair.Create("scopes", s)));
        Assert.Equal(HttpStatusCode.OK, created.Status);
        var storefront = platform.CreateClient("storefrontapi");
        storefront.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", created.Document!.QuerySelector("#new-secret")!.GetAttribute("value")!);
        return storefront;
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
