using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AlyAspire.Shared.Scopes;
using AlyAspire.Tests.EndToEnd;
using AlyAspire.Tests.Infrastructure;

namespace AlyAspire.Tests.StorefrontApi.Ucp;

/// <summary>
/// UCP's identity binding on the Aspire test host: an API key issued to a platform (shopping agent) profile, over REST
/// or on the dashboard's keys page, acts on UCP (and A2A's checkout) for that platform only; a request whose
/// <c>UCP-Agent</c> names another profile is refused with UCP's 403 error, on the first request and on cached ones.
/// A machine client bound on the dashboard's machine clients page does the same with its OAuth access tokens.
/// </summary>
[Collection(PlatformCollection.Name)]
public sealed class UcpIdentityBindingTests(PlatformFixture platform)
{
    private const string Base = "/api/storefront/v1/ucp";
    private const string BoundProfile = "https://bound-agent.example/.well-known/ucp";
    private const string OtherProfile = "https://other-agent.example/.well-known/ucp";

    private static readonly string[] ShopperScopes = [ScopeCatalogue.ReadContent, ScopeCatalogue.ReadOrders, ScopeCatalogue.WriteOrders];

    [Fact]
    public async Task A_key_bound_over_REST_serves_its_own_platform_and_refuses_another_with_UCPs_403()
    {
        // The profile is stored in its canonical form (host lower-cased, default port dropped).
        var created = await CreateKeyOverRestAsync("https://Bound-Agent.example:443/.well-known/ucp");
        Assert.Equal(BoundProfile, created.GetProperty("key").GetProperty("platformProfile").GetString());
        var secret = created.GetProperty("secret").GetString()!;

        // Its own platform: served, several times (the later answers come from the gate's cached verification).
        for (var i = 0; i < 3; i++)
        {
            using var own = await SearchAsync(secret, BoundProfile);
            Assert.Equal(HttpStatusCode.OK, own.StatusCode);
        }

        await AssertRefusedForAnotherPlatformAsync(secret);

        // The binding is UCP's: the merchant API, which has no platform, still answers within the key's scopes.
        using var merchant = platform.Storefront(secret);
        Assert.Equal(HttpStatusCode.OK, (await merchant.GetAsync($"{StorefrontAgents.MerchantPath}/products")).StatusCode);

        // The listing shows the binding.
        using var admin = platform.Storefront(await platform.ApiKeyAsync(StorefrontAgents.DemoStore, StorefrontAgents.AllScopes));
        var keys = await admin.GetFromJsonAsync<JsonElement>($"{StorefrontAgents.MerchantPath}/api-keys");
        var listed = Assert.Single(keys.EnumerateArray(), k => k.GetProperty("id").GetString() == created.GetProperty("key").GetProperty("id").GetString());
        Assert.Equal(BoundProfile, listed.GetProperty("platformProfile").GetString());
    }

    [Fact]
    public async Task A_bound_key_cannot_start_an_A2A_checkout_for_another_platform()
    {
        var secret = (await CreateKeyOverRestAsync(BoundProfile)).GetProperty("secret").GetString()!;
        var productId = await FirstProductIdAsync(secret);

        using var agent = platform.Storefront(secret);
        async Task<JsonElement> AddToCheckoutAsync(string profile)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/storefront/v1/a2a")
            {
                Content = JsonContent.Create(new
                {
                    jsonrpc = "2.0",
                    id = 1,
                    method = "SendMessage",
                    @params = new
                    {
                        message = new
                        {
                            messageId = Guid.NewGuid().ToString(),
                            role = "ROLE_USER",
                            parts = new[] { new { data = new { action = "add_to_checkout", product_id = productId, quantity = 1 } } },
                        },
                    },
                }),
            };
            request.Headers.Add("UCP-Agent", $"profile=\"{profile}\"");
            using var response = await agent.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            return await response.Content.ReadFromJsonAsync<JsonElement>();
        }

        var refused = await AddToCheckoutAsync(OtherProfile);
        Assert.Equal(-32000, refused.GetProperty("error").GetProperty("code").GetInt32());
        Assert.Contains("bound to another platform profile", refused.GetProperty("error").GetProperty("message").GetString());

        var accepted = await AddToCheckoutAsync(BoundProfile);
        Assert.True(accepted.TryGetProperty("result", out var result), accepted.ToString());
        Assert.Equal("TASK_STATE_INPUT_REQUIRED", result.GetProperty("task").GetProperty("status").GetProperty("state").GetString());
    }

    [Fact]
    public async Task A_bound_key_mints_only_keys_bound_to_its_own_platform()
    {
        var parent = (await CreateKeyOverRestAsync(BoundProfile, [.. ShopperScopes, ScopeCatalogue.ManageApiKeys])).GetProperty("secret").GetString()!;
        using var agent = platform.Storefront(parent);

        // Without a profile, the child inherits the parent's: it may not act for another platform either.
        using var minted = await agent.PostAsJsonAsync($"{StorefrontAgents.MerchantPath}/api-keys",
            new { name = $"child {Guid.NewGuid():N}"[..20], scopes = ShopperScopes });
        Assert.Equal(HttpStatusCode.OK, minted.StatusCode);
        var child = await minted.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(BoundProfile, child.GetProperty("key").GetProperty("platformProfile").GetString());
        var childSecret = child.GetProperty("secret").GetString()!;
        using (var own = await SearchAsync(childSecret, BoundProfile))
        {
            Assert.Equal(HttpStatusCode.OK, own.StatusCode);
        }

        await AssertRefusedForAnotherPlatformAsync(childSecret);

        // Naming another platform is refused outright.
        using var other = await agent.PostAsJsonAsync($"{StorefrontAgents.MerchantPath}/api-keys",
            new { name = $"escape {Guid.NewGuid():N}"[..20], scopes = ShopperScopes, platformProfile = OtherProfile });
        Assert.Equal(HttpStatusCode.BadRequest, other.StatusCode);
        var problem = await other.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains(BoundProfile, problem.GetProperty("errors").GetProperty("platformProfile")[0].GetString());
    }

    [Fact]
    public async Task An_unbound_key_acts_for_any_platform()
    {
        var secret = await platform.ApiKeyAsync(StorefrontAgents.DemoStore, ShopperScopes);
        using var first = await SearchAsync(secret, BoundProfile);
        using var second = await SearchAsync(secret, OtherProfile);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
    }

    [Theory]
    [InlineData("http://agent.example/.well-known/ucp")] // UCP profiles are served over https
    [InlineData("/.well-known/ucp")]
    [InlineData("https://user:pass@agent.example/.well-known/ucp")]
    [InlineData("https://agent.example/.well-known/ucp#me")]
    public async Task A_profile_that_is_not_an_absolute_https_URL_is_a_validation_problem(string profile)
    {
        using var admin = platform.Storefront(await platform.ApiKeyAsync(StorefrontAgents.DemoStore, StorefrontAgents.AllScopes));
        using var response = await admin.PostAsJsonAsync($"{StorefrontAgents.MerchantPath}/api-keys",
            new { name = $"bad binding {Guid.NewGuid():N}"[..24], scopes = ShopperScopes, platformProfile = profile });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains("absolute https URL", problem.GetProperty("errors").GetProperty("platformProfile")[0].GetString());
    }

    [Fact]
    public async Task The_keys_page_binds_a_new_key_to_a_platform_and_shows_it()
    {
        await using var person = await BrowserPerson.StartAsync(platform);
        await person.OpenAsync("/settings/api-keys");
        var name = $"ucp bound {Guid.NewGuid():N}"[..20];

        await person.Page.FillAsync("input[name=name]", name);
        foreach (var scope in ShopperScopes)
        {
            await person.Page.CheckAsync($"input[name=scopes][value='{scope}']");
        }

        await person.Page.FillAsync("input[name=platformProfile]", BoundProfile);
        await person.Page.Locator("form:has(input[name=name]) [type=submit]").ClickAsync();
        var secret = await person.Page.InputValueAsync("#new-secret");
        Assert.StartsWith("aly_", secret);
        Assert.Equal(BoundProfile, await ShownProfileAsync(person, name));
        await person.Page.ScreenshotAsync(new() { Path = Path.Combine(RepositoryPaths.Artifacts, "api-key-bound-to-platform.png"), FullPage = true });

        await platform.RaiseLimitsAsync(StorefrontAgents.DemoStore);
        using var own = await SearchAsync(secret, BoundProfile);
        using var other = await SearchAsync(secret, OtherProfile);
        Assert.Equal(HttpStatusCode.OK, own.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, other.StatusCode);

        // A profile the KeyService refuses is shown with its reason and creates nothing (the browser's own url check
        // lets an http URL through).
        var refusedName = $"ucp http {Guid.NewGuid():N}"[..20];
        await person.Page.FillAsync("input[name=name]", refusedName);
        await person.Page.CheckAsync($"input[name=scopes][value='{ScopeCatalogue.ReadContent}']");
        await person.Page.FillAsync("input[name=platformProfile]", "http://agent.example/.well-known/ucp");
        await person.Page.Locator("form:has(input[name=name]) [type=submit]").ClickAsync();
        await AssertProfileRefusedOnFormAsync(person, refusedName);
    }

    [Fact]
    public async Task A_machine_client_bound_on_the_dashboard_serves_its_own_platform_and_refuses_another_with_UCPs_403()
    {
        await platform.RaiseLimitsAsync(StorefrontAgents.DemoStore);
        await using var person = await BrowserPerson.StartAsync(platform);
        await person.OpenAsync(MachineClientSteps.PagePath);
        var name = $"ucp agent {Guid.NewGuid():N}"[..20];

        // Entered in another spelling of the same URL; stored and shown in its canonical form.
        var (clientId, secret) = await MachineClientSteps.CreateAsync(person, name, ShopperScopes, "https://Bound-Agent.example:443/.well-known/ucp");
        Assert.Equal(BoundProfile, await ShownProfileAsync(person, name));
        await person.Page.ScreenshotAsync(new() { Path = Path.Combine(RepositoryPaths.Artifacts, "machine-client-bound-to-platform.png"), FullPage = true });

        // Its tokens act for its own platform (the later answers from the gate's cached verification) and for no other,
        // refused as a bound API key is.
        var token = await MachineClientSteps.AccessTokenAsync(platform, clientId, secret);
        for (var i = 0; i < 3; i++)
        {
            using var own = await SearchAsync(token, BoundProfile);
            Assert.Equal(HttpStatusCode.OK, own.StatusCode);
        }

        await AssertRefusedForAnotherPlatformAsync(token);
        Assert.Equal(HttpStatusCode.OK, await AgentCalls.GetOrdersAsync(platform, token)); // the merchant API has no platform

        // A rotation keeps the binding: still listed, and the new secret's tokens are bound too.
        var rotated = await MachineClientSteps.RotateAsync(person, name, graceHours: 0);
        Assert.Equal(BoundProfile, await ShownProfileAsync(person, name));
        var afterRotation = await MachineClientSteps.AccessTokenAsync(platform, clientId, rotated);
        using (var own = await SearchAsync(afterRotation, BoundProfile))
        using (var other = await SearchAsync(afterRotation, OtherProfile))
        {
            Assert.Equal(HttpStatusCode.OK, own.StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, other.StatusCode);
        }

        // A profile that is not an absolute https URL is shown with its reason and creates nothing (the browser's own
        // url check lets an http URL through).
        var refusedName = $"ucp http {Guid.NewGuid():N}"[..20];
        await MachineClientSteps.SubmitCreateFormAsync(person, refusedName, [ScopeCatalogue.ReadContent], "http://agent.example/.well-known/ucp");
        await AssertProfileRefusedOnFormAsync(person, refusedName);
    }

    [Fact]
    public async Task An_unbound_machine_client_acts_for_any_platform()
    {
        await platform.RaiseLimitsAsync(StorefrontAgents.DemoStore);
        await using var person = await BrowserPerson.StartAsync(platform);
        await person.OpenAsync(MachineClientSteps.PagePath);
        var name = $"ucp any {Guid.NewGuid():N}"[..20];
        var (clientId, secret) = await MachineClientSteps.CreateAsync(person, name, ShopperScopes);
        Assert.Equal(0, await person.Page.Locator($"tr:has-text('{name}') [data-platform-profile]").CountAsync());

        var token = await MachineClientSteps.AccessTokenAsync(platform, clientId, secret);
        using var first = await SearchAsync(token, BoundProfile);
        using var second = await SearchAsync(token, OtherProfile);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
    }

    /// <summary>
    /// A credential bound to <see cref="BoundProfile"/> naming <see cref="OtherProfile"/>: refused before any work, in
    /// UCP's error shape, without revealing the bound profile, on a read and on a state-changing request.
    /// </summary>
    private async Task AssertRefusedForAnotherPlatformAsync(string bearer)
    {
        foreach (var path in (string[])["/catalog/search", "/checkout-sessions"])
        {
            using var other = await UcpPostAsync(bearer, OtherProfile, path, path == "/checkout-sessions"
                ? new { line_items = new[] { new { item = new { id = Guid.NewGuid().ToString() }, quantity = 1 } } }
                : new { query = "" });
            Assert.Equal(HttpStatusCode.Forbidden, other.StatusCode);
            var error = await other.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal("forbidden", error.GetProperty("code").GetString());
            Assert.Contains("bound to another platform profile", error.GetProperty("content").GetString());
            Assert.Contains(OtherProfile, error.GetProperty("content").GetString());
            Assert.DoesNotContain("bound-agent", error.GetProperty("content").GetString(), StringComparison.OrdinalIgnoreCase);
        }
    }

    /// <summary>The dashboard's form named why it refused the profile, and the list has no row of <paramref name="name"/>.</summary>
    private static async Task AssertProfileRefusedOnFormAsync(BrowserPerson person, string name)
    {
        Assert.Contains("absolute https URL", await person.Page.Locator("[role=alert]").InnerTextAsync());
        Assert.Equal(0, await person.Page.Locator($"tr:has-text('{name}')").CountAsync());
    }

    /// <summary>The platform profile a dashboard list shows in the row of <paramref name="name"/>.</summary>
    private static async Task<string> ShownProfileAsync(BrowserPerson person, string name) =>
        (await person.Page.Locator($"tr:has-text('{name}') [data-platform-profile] code").InnerTextAsync()).Trim();

    private async Task<JsonElement> CreateKeyOverRestAsync(string profile, string[]? scopes = null)
    {
        using var admin = platform.Storefront(await platform.ApiKeyAsync(StorefrontAgents.DemoStore, StorefrontAgents.AllScopes));
        using var response = await admin.PostAsJsonAsync($"{StorefrontAgents.MerchantPath}/api-keys",
            new { name = $"ucp bound {Guid.NewGuid():N}"[..24], scopes = scopes ?? ShopperScopes, platformProfile = profile });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private async Task<string> FirstProductIdAsync(string secret)
    {
        using var search = await SearchAsync(secret, BoundProfile);
        var found = await search.Content.ReadFromJsonAsync<JsonElement>();
        return found.GetProperty("products").EnumerateArray()
            .First(p => p.GetProperty("variants")[0].GetProperty("availability").GetProperty("available").GetBoolean())
            .GetProperty("id").GetString()!;
    }

    private Task<HttpResponseMessage> SearchAsync(string secret, string profile) =>
        UcpPostAsync(secret, profile, "/catalog/search", new { query = "" });

    private async Task<HttpResponseMessage> UcpPostAsync(string secret, string profile, string path, object body)
    {
        using var agent = platform.Storefront(secret);
        using var request = new HttpRequestMessage(HttpMethod.Post, Base + path) { Content = JsonContent.Create(body) };
        request.Headers.Add("UCP-Agent", $"profile=\"{profile}\"");
        request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
        return await agent.SendAsync(request);
    }
}
