using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AlyAspire.Shared.ApiKeys;
using AlyAspire.Shared.Errors;
using AlyAspire.Shared.Development;
using AlyAspire.Shared.Scopes;
using AlyAspire.Tests.AuthServer;
using AlyAspire.Tests.EndToEnd;
using AlyAspire.Tests.Infrastructure;
using AlyAspire.Tests.StorefrontApi;

namespace AlyAspire.Tests.KeyService;

/// <summary>
/// Who may create, roll and revoke which key: the actor's own ceiling (a person's role, a key's scopes, an OAuth
/// grant's scopes), worked out by the KeyService from what it verifies itself; and keys agents mint under a grant.
/// </summary>
[Collection(PlatformCollection.Name)]
public sealed class KeyGovernanceTests(PlatformFixture platform)
{
    private static readonly string[] OwnerOnlyScopes = [ScopeCatalogue.ManageTeam, ScopeCatalogue.ManageWorkspace, ScopeCatalogue.ReadOrders];

    [Fact]
    public async Task An_admin_rolling_or_revoking_an_owner_only_key_gets_403_naming_the_scopes_and_never_the_secret()
    {
        using var http = await platform.CreateServiceClientAsync("keyservice");
        var keys = new ApiKeyClient(http);
        var workspace = Guid.NewGuid();
        var ownerKey = await keys.CreateAsync(workspace, new CreateApiKeyRequest("owner only", OwnerOnlyScopes, null), KeyServiceClients.Owner(workspace));
        var admin = KeyServiceClients.Admin(workspace);

        foreach (var (path, body) in new[] { (ApiKeyRoutes.Roll(workspace, ownerKey.Key.Id), "{\"gracePeriodHours\":0}"), (ApiKeyRoutes.Revoke(workspace, ownerKey.Key.Id), "{}") })
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json") };
            request.Headers.Add(ApiKeyHeaders.ActorAssertion, admin.Assertion);
            using var response = await http.SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();

            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
            var problem = JsonSerializer.Deserialize<JsonElement>(text);
            Assert.Equal(ProblemTypes.ScopeNotGrantable, problem.GetProperty("type").GetString());
            Assert.Equal([ScopeCatalogue.ManageTeam, ScopeCatalogue.ManageWorkspace],
                problem.GetProperty("scopes").EnumerateArray().Select(s => s.GetString()!).Order().ToArray());
            Assert.DoesNotContain(AlyAspire.Shared.Credentials.CredentialFormats.ApiKeyPrefix, text, StringComparison.Ordinal);
        }

        // Nothing changed: the owner's secret still works, the key is neither revoked nor rolled.
        Assert.True((await keys.VerifyAsync(ownerKey.Secret)).Valid);
        var after = await keys.GetAsync(workspace, ownerKey.Key.Id, admin);
        Assert.Null(after.RevokedAt);
        Assert.Equal(ownerKey.Key.DisplayForm, after.DisplayForm);

        // Within the admin's ceiling the same admin may roll and revoke.
        var storeKey = await keys.CreateAsync(workspace, new CreateApiKeyRequest("store", [ScopeCatalogue.ReadOrders, ScopeCatalogue.WriteOrders], null), admin);
        var rolled = await keys.RollAsync(workspace, storeKey.Key.Id, new RollApiKeyRequest(0), admin);
        Assert.True((await keys.VerifyAsync(rolled.Secret)).Valid);
        Assert.NotNull((await keys.RevokeAsync(workspace, storeKey.Key.Id, admin)).RevokedAt);

        // A member may not manage keys at all, whatever the key.
        var member = await Assert.ThrowsAsync<ApiKeyServiceException>(() =>
            keys.RevokeAsync(workspace, ownerKey.Key.Id, KeyServiceClients.Member(workspace)));
        Assert.Equal(HttpStatusCode.Forbidden, member.Status);
        Assert.Contains(ScopeCatalogue.ManageApiKeys, member.Problem.Detail);
    }

    [Fact]
    public async Task The_KeyService_believes_no_header_that_merely_claims_an_actor_or_its_scopes()
    {
        using var http = await platform.CreateServiceClientAsync("keyservice");
        var workspace = Guid.NewGuid();
        var ownerKey = await new ApiKeyClient(http).CreateAsync(workspace, new CreateApiKeyRequest("owner only", OwnerOnlyScopes, null), KeyServiceClients.Owner(workspace));

        // Yesterday's trusted headers, and an assertion signed with another key: neither acts.
        using var claimed = new HttpRequestMessage(HttpMethod.Post, ApiKeyRoutes.Roll(workspace, ownerKey.Key.Id)) { Content = JsonContent.Create(new RollApiKeyRequest(0)) };
        claimed.Headers.Add("X-Aly-Actor", "user:" + Guid.NewGuid());
        claimed.Headers.Add("X-Aly-Actor-Scopes", string.Join(' ', ScopeCatalogue.Names));
        using var claimedResponse = await http.SendAsync(claimed);
        Assert.Equal(HttpStatusCode.BadRequest, claimedResponse.StatusCode);

        var forger = new ActorAssertions(Microsoft.Extensions.Options.Options.Create(new ActorAssertionOptions { SigningKey = new string('x', 48) }), TimeProvider.System);
        using var forged = new HttpRequestMessage(HttpMethod.Post, ApiKeyRoutes.Roll(workspace, ownerKey.Key.Id)) { Content = JsonContent.Create(new RollApiKeyRequest(0)) };
        forged.Headers.Add(ApiKeyHeaders.ActorAssertion, forger.Issue(Guid.NewGuid(), workspace, WorkspaceRoles.Owner, null));
        using var forgedResponse = await http.SendAsync(forged);
        Assert.Equal(HttpStatusCode.Forbidden, forgedResponse.StatusCode);
        Assert.DoesNotContain(AlyAspire.Shared.Credentials.CredentialFormats.ApiKeyPrefix, await forgedResponse.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        Assert.True((await new ApiKeyClient(http).VerifyAsync(ownerKey.Secret)).Valid);
    }

    [Fact]
    public async Task A_key_acting_through_the_storefront_may_not_roll_or_revoke_a_key_beyond_its_own_scopes()
    {
        var workspace = Guid.NewGuid();
        await platform.RaiseLimitsAsync(workspace);
        var keys = await platform.ApiKeyClientAsync();
        var ownerKey = await keys.CreateAsync(workspace, new CreateApiKeyRequest("owner only", OwnerOnlyScopes, null), KeyServiceClients.Owner(workspace));
        var manager = await TestCredentials.CreateApiKeyAsync(platform, workspace, [ScopeCatalogue.ManageApiKeys, ScopeCatalogue.ReadOrders]);
        using var storefront = platform.Storefront(manager);

        foreach (var action in new[] { "roll", "revoke" })
        {
            using var response = await storefront.PostAsJsonAsync($"{StorefrontAgents.MerchantPath}/api-keys/{ownerKey.Key.Id}/{action}", new { gracePeriodHours = 0 });
            var text = await response.Content.ReadAsStringAsync();
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
            Assert.Contains(ScopeCatalogue.ManageTeam, text);
            Assert.DoesNotContain(AlyAspire.Shared.Credentials.CredentialFormats.ApiKeyPrefix, text, StringComparison.Ordinal);
        }

        using var minted = await storefront.PostAsJsonAsync($"{StorefrontAgents.MerchantPath}/api-keys", new { name = "too much", scopes = new[] { ScopeCatalogue.ManageTeam } });
        Assert.Equal(HttpStatusCode.Forbidden, minted.StatusCode);
        Assert.True((await keys.VerifyAsync(ownerKey.Secret)).Valid);
    }

    [Fact]
    public async Task A_roll_without_grace_ends_the_old_secret_even_in_a_cache_that_missed_the_message()
    {
        await using var harness = await VerifierHarness.StartAsync(platform, subscribeToRevocations: false);
        var keys = await platform.ApiKeyClientAsync();
        var workspace = Guid.NewGuid();
        var owner = KeyServiceClients.Owner(workspace);
        var created = await keys.CreateAsync(workspace, KeyServiceClients.Request(), owner);
        Assert.True((await harness.Verifier.VerifyAsync(created.Secret, default)).IsValid);
        Assert.True((await harness.Verifier.VerifyAsync(created.Secret, default)).IsValid);

        var rolled = await keys.RollAsync(workspace, created.Key.Id, new RollApiKeyRequest(0), owner);

        Assert.Equal(ApiKeyInvalidReasons.Revoked, (await harness.Verifier.VerifyAsync(created.Secret, default)).FailureReason);
        Assert.True((await harness.Verifier.VerifyAsync(rolled.Secret, default)).IsValid);
    }

    [Fact]
    public async Task A_key_an_OAuth_agent_mints_expires_with_its_grant_and_stops_working_when_the_app_is_revoked()
    {
        await platform.RaiseLimitsAsync(StorefrontAgents.DemoStore);
        using var authServer = platform.CreateClient("authserver");
        var oauth = new OAuthTestClient(authServer);
        const string scope = "manage:api_keys read:orders";
        var clientId = await oauth.RegisterPublicClientAsync(scope: scope);
        var pkce = OAuthTestClient.NewPkce();
        await using var person = await BrowserPerson.StartAsync(platform);
        var (query, _) = await person.AuthorizeAsync(oauth.AuthorizeUrl(clientId, pkce, scope, person.RedirectUri));
        var accessToken = (await oauth.RedeemCodeAsync(clientId, query["code"]!, pkce, person.RedirectUri)).GetProperty("access_token").GetString()!;
        using var agent = platform.Storefront(accessToken);

        // An expiry beyond the grant's lifetime is refused; none given means the longest the grant allows.
        using var tooLong = await agent.PostAsJsonAsync($"{StorefrontAgents.MerchantPath}/api-keys",
            new { name = "forever", scopes = new[] { ScopeCatalogue.ReadOrders }, expiresAt = DateTimeOffset.UtcNow.AddDays(400) });
        Assert.Equal(HttpStatusCode.BadRequest, tooLong.StatusCode);
        using var created = await agent.PostAsJsonAsync($"{StorefrontAgents.MerchantPath}/api-keys", new { name = "agent minted", scopes = new[] { ScopeCatalogue.ReadOrders } });
        Assert.Equal(HttpStatusCode.OK, created.StatusCode);
        var minted = (await created.Content.ReadFromJsonAsync<ApiKeyWithSecret>())!;
        Assert.NotNull(minted.Key.AuthorizationId);
        Assert.NotNull(minted.Key.OnBehalfOfUserId);
        Assert.InRange(minted.Key.ExpiresAt!.Value, DateTimeOffset.UtcNow.AddDays(13), DateTimeOffset.UtcNow.AddDays(14).AddMinutes(5));
        Assert.Equal(HttpStatusCode.OK, await AgentCalls.GetOrdersAsync(platform, minted.Secret));
        Assert.Equal(HttpStatusCode.OK, await AgentCalls.GetOrdersAsync(platform, minted.Secret)); // now cached by the gate

        await person.OpenAsync("/connected-apps");
        await person.Page.Locator($"tr:has-text('{clientId}') form[action*='handler=Revoke'] [type=submit]").ClickAsync();
        await person.Page.WaitForLoadStateAsync();

        // At once (the grant's marker), and durably: the outbox revokes the key itself at the KeyService.
        Assert.Equal(HttpStatusCode.Unauthorized, await AgentCalls.GetOrdersAsync(platform, minted.Secret));
        var keys = await platform.ApiKeyClientAsync();
        await Eventually.SucceedsAsync(async () =>
            Assert.NotNull((await keys.GetAsync(StorefrontAgents.DemoStore, minted.Key.Id, TestActors.Owner(StorefrontAgents.DemoStore))).RevokedAt),
            TimeSpan.FromSeconds(30));
        Assert.Equal(ApiKeyInvalidReasons.Revoked, (await keys.VerifyAsync(minted.Secret)).Reason);
    }

    [Fact]
    public async Task A_key_an_agent_minted_for_a_person_stops_working_once_the_owner_removes_the_person_in_the_dashboard()
    {
        await platform.RaiseLimitsAsync(StorefrontAgents.DemoStore);
        var email = $"leaving-{Guid.NewGuid():N}@demo.store";
        const string password = "a-leaving-admin-password-1";
        using var person = new AuthServerBrowser(platform.Endpoint("authserver"));
        await person.SignUpVerifiedAsync(platform, email, password, "Leaving Admin's Shop");
        using var owner = new AuthServerBrowser(platform.Endpoint("authserver"));
        await owner.SignInAsync(AuthServerSteps.OwnerEmail, AuthServerSteps.OwnerPassword);
        await person.AcceptInvitationAsync(await owner.InviteAsync(platform, email, WorkspaceRoles.Admin));

        // The admin lets an agent act for them in the demo workspace; the agent mints itself a key.
        const string scope = "manage:api_keys read:orders";
        using var authServer = platform.CreateClient("authserver");
        var oauth = new OAuthTestClient(authServer);
        var clientId = await oauth.RegisterPublicClientAsync(scope: scope);
        var pkce = OAuthTestClient.NewPkce();
        var end = await person.AuthorizeAsync(oauth.AuthorizeUrl(clientId, pkce, scope), email, password, workspace: DemoWorkspace.Id.ToString());
        var accessToken = (await oauth.RedeemCodeAsync(clientId, AuthServerSteps.Query(end.Url)["code"], pkce)).GetProperty("access_token").GetString()!;
        using var agent = platform.Storefront(accessToken);
        using var created = await agent.PostAsJsonAsync($"{StorefrontAgents.MerchantPath}/api-keys", new { name = "minted for a leaving admin", scopes = new[] { ScopeCatalogue.ReadOrders } });
        Assert.Equal(HttpStatusCode.OK, created.StatusCode);
        var minted = (await created.Content.ReadFromJsonAsync<ApiKeyWithSecret>())!;
        var personId = minted.Key.OnBehalfOfUserId!.Value;
        Assert.Equal(HttpStatusCode.OK, await AgentCalls.GetOrdersAsync(platform, minted.Secret));

        // The owner removes the admin on the team page: the grant and the key it minted stop working.
        var team = await owner.GetAsync("/team");
        var removeForm = team.Document!.Forms.Single(f =>
            (f.GetAttribute("action") ?? "").Contains("handler=Remove") && f.InnerHtml.Contains(personId.ToString()));
        var removed = await team.SubmitAsync(owner, removeForm, new());
        Assert.Equal(HttpStatusCode.OK, removed.Status);
        Assert.Equal(HttpStatusCode.Unauthorized, await AgentCalls.GetOrdersAsync(platform, accessToken));
        await Eventually.SucceedsAsync(async () =>
            Assert.Equal(HttpStatusCode.Unauthorized, await AgentCalls.GetOrdersAsync(platform, minted.Secret)), TimeSpan.FromSeconds(30));
        var keys = await platform.ApiKeyClientAsync();
        Assert.NotNull((await keys.GetAsync(StorefrontAgents.DemoStore, minted.Key.Id, TestActors.Owner(StorefrontAgents.DemoStore))).RevokedAt);
    }

    [Fact]
    public async Task Keys_agents_minted_for_a_person_are_revoked_when_the_person_leaves_the_workspace_idempotently()
    {
        await platform.RaiseLimitsAsync(StorefrontAgents.DemoStore);
        using var authServer = platform.CreateClient("authserver");
        var oauth = new OAuthTestClient(authServer);
        var (clientId, pkce, code) = await oauth.AuthorizeAsDemoOwnerAsync("manage:api_keys read:orders");
        var accessToken = (await oauth.RedeemCodeAsync(clientId, code, pkce)).GetProperty("access_token").GetString()!;
        using var agent = platform.Storefront(accessToken);
        using var created = await agent.PostAsJsonAsync($"{StorefrontAgents.MerchantPath}/api-keys", new { name = "for the owner", scopes = new[] { ScopeCatalogue.ReadOrders } });
        Assert.Equal(HttpStatusCode.OK, created.StatusCode);
        var minted = (await created.Content.ReadFromJsonAsync<ApiKeyWithSecret>())!;
        Assert.Equal(HttpStatusCode.OK, await AgentCalls.GetOrdersAsync(platform, minted.Secret));

        // What the membership service's outbox calls when the person is removed (the endpoint is idempotent).
        var keys = await platform.ApiKeyClientAsync();
        var first = await keys.RevokeKeysOnBehalfOfAsync(StorefrontAgents.DemoStore, minted.Key.OnBehalfOfUserId!.Value);
        var again = await keys.RevokeKeysOnBehalfOfAsync(StorefrontAgents.DemoStore, minted.Key.OnBehalfOfUserId!.Value);

        Assert.True(first.Revoked >= 1);
        Assert.Equal(0, again.Revoked);
        Assert.Equal(HttpStatusCode.Unauthorized, await AgentCalls.GetOrdersAsync(platform, minted.Secret));
        // A key the person made in the dashboard is the workspace's, not an agent's: it stays.
        var ownKey = await TestCredentials.CreateApiKeyAsync(platform, StorefrontAgents.DemoStore, [ScopeCatalogue.ReadOrders]);
        await keys.RevokeKeysOnBehalfOfAsync(StorefrontAgents.DemoStore, minted.Key.OnBehalfOfUserId!.Value);
        Assert.True((await keys.VerifyAsync(ownKey)).Valid);
    }
}
