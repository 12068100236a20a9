using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AlyAspire.Shared.Scopes;
using AlyAspire.Tests.Infrastructure;
using ModelContextProtocol;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace AlyAspire.Tests.StorefrontApi;

/// <summary>The MCP server through the official C# SDK client, with both credential kinds, and its HTTP-level refusals.</summary>
[Collection(PlatformCollection.Name)]
public sealed class McpServerTests(PlatformFixture platform)
{
    /// <summary>The tools cover every scope of the catalogue.</summary>
    private static readonly string[] ToolScopes = [.. ScopeCatalogue.Names];

    private static readonly string[] AllTools =
    [
        "cancel_order", "configure_voice_agent", "create_api_key", "create_product", "create_site", "delete_media", "delete_site", "find_customers",
        "fulfill_order", "get_activity", "get_analytics", "get_order", "get_product", "get_site", "get_voice_agent", "get_workspace_settings",
        "invite_teammate", "list_api_keys", "list_domains", "list_media", "list_orders", "list_products", "list_sites", "list_team", "publish_site", "register_media",
        "remove_teammate", "revoke_api_key", "update_customer", "update_product", "update_site_settings", "update_workspace_settings",
    ];

    public static TheoryData<CredentialKindUnderTest> Kinds => new() { CredentialKindUnderTest.ApiKey, CredentialKindUnderTest.OAuth };

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task An_MCP_client_lists_the_tools_and_calls_one(CredentialKindUnderTest kind)
    {
        var bearer = kind == CredentialKindUnderTest.ApiKey
            ? await platform.ApiKeyAsync(StorefrontAgents.DemoStore, ToolScopes)
            : await platform.OAuthTokenAsync(ToolScopes, StorefrontResource.Mcp);
        await using var client = await ConnectAsync(bearer);

        var tools = await client.ListToolsAsync();
        Assert.Equal(AllTools, tools.Select(t => t.Name).Order(StringComparer.Ordinal).ToArray());

        var result = await client.CallToolAsync("list_orders", new Dictionary<string, object?> { ["state"] = "paid", ["pageSize"] = 5 });
        Assert.NotEqual(true, result.IsError);
        var page = JsonDocument.Parse(Assert.IsType<TextContentBlock>(result.Content[0]).Text).RootElement;
        Assert.All(page.GetProperty("items").EnumerateArray(), o => Assert.Equal("paid", o.GetProperty("state").GetString()));
    }

    /// <summary>Each scope alone unlocks its own tools and no other; the same answers for an API key and an OAuth token.</summary>
    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task Every_scope_has_tools_and_a_credential_sees_exactly_the_tools_of_its_scopes(CredentialKindUnderTest kind)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var scope in ScopeCatalogue.Names)
        {
            var bearer = kind == CredentialKindUnderTest.ApiKey
                ? await platform.ApiKeyAsync(StorefrontAgents.DemoStore, [scope])
                : await platform.OAuthTokenAsync([scope], StorefrontResource.Mcp);
            await using var client = await ConnectAsync(bearer);
            var names = (await client.ListToolsAsync()).Select(t => t.Name).ToArray();
            Assert.True(names.Length > 0, $"No MCP tool needs {scope}.");
            Assert.All(names, name => Assert.True(seen.Add(name), $"{name} is listed under two scopes."));
        }

        Assert.Equal(AllTools, seen.Order(StringComparer.Ordinal).ToArray());
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task The_new_scopes_tools_answer_like_the_REST_API(CredentialKindUnderTest kind)
    {
        var bearer = kind == CredentialKindUnderTest.ApiKey
            ? await platform.ApiKeyAsync(StorefrontAgents.DemoStore, ToolScopes)
            : await platform.OAuthTokenAsync(ToolScopes, StorefrontResource.Mcp);
        using var rest = platform.Storefront(await platform.ApiKeyAsync(StorefrontAgents.DemoStore, StorefrontAgents.AllScopes));
        await using var client = await ConnectAsync(bearer);

        foreach (var (tool, path) in new[]
                 {
                     ("list_sites", "/sites"), ("list_media", "/media"), ("list_domains", "/domains"), ("list_team", "/team"),
                     ("get_workspace_settings", "/workspace/settings"),
                 })
        {
            var result = await client.CallToolAsync(tool, new Dictionary<string, object?>());
            Assert.NotEqual(true, result.IsError);
            var viaMcp = ToolJson(result);
            var viaRest = await rest.GetFromJsonAsync<JsonElement>(StorefrontAgents.MerchantPath + path);
            Assert.Equal(viaRest.ValueKind, viaMcp.ValueKind);
            if (viaRest.ValueKind == JsonValueKind.Array)
            {
                Assert.Equal(viaRest.EnumerateArray().Select(e => e.GetProperty("id").GetString()).Order(), viaMcp.EnumerateArray().Select(e => e.GetProperty("id").GetString()).Order());
            }
            else
            {
                Assert.Equal(viaRest.GetProperty("name").GetString(), viaMcp.GetProperty("name").GetString());
            }
        }

        // A refusal of the application layer is a tool error naming its kind and the field at fault.
        var badSite = await client.CallToolAsync("create_site", new Dictionary<string, object?> { ["name"] = "Shop", ["theme"] = "neon" });
        Assert.True(badSite.IsError);
        Assert.Contains("invalid_input: theme must be one of", Assert.IsType<TextContentBlock>(badSite.Content[0]).Text);

        var created = ToolJson(await client.CallToolAsync("register_media", new Dictionary<string, object?>
        {
            ["fileName"] = $"mcp-{Guid.NewGuid():N}.png", ["contentType"] = "image/png", ["sizeBytes"] = 1024,
        }));
        var mediaId = created.GetProperty("id").GetString();
        using var viaRestMedia = await rest.GetAsync($"{StorefrontAgents.MerchantPath}/media/{mediaId}");
        Assert.Equal(HttpStatusCode.OK, viaRestMedia.StatusCode);
    }

    [Fact]
    public async Task The_MCP_metadata_lists_the_scopes_its_tools_use()
    {
        using var raw = platform.Storefront();
        var metadata = await raw.GetFromJsonAsync<JsonElement>("/.well-known/oauth-protected-resource/mcp");
        Assert.Equal(ToolScopes.Order(StringComparer.Ordinal), metadata.GetProperty("scopes_supported").EnumerateArray().Select(s => s.GetString()!).Order(StringComparer.Ordinal));
    }

    private static JsonElement ToolJson(CallToolResult result) => JsonDocument.Parse(Assert.IsType<TextContentBlock>(result.Content[0]).Text).RootElement;

    [Fact]
    public async Task Tools_share_the_REST_domain_fulfilling_over_MCP_shows_in_the_REST_API()
    {
        var key = await platform.ApiKeyAsync(StorefrontAgents.DemoStore, StorefrontAgents.AllScopes);
        using var rest = platform.Storefront(key);
        var orderId = await new StoreDriver(rest).CreatePaidOrderAsync();
        await using var client = await ConnectAsync(key);

        var result = await client.CallToolAsync("fulfill_order", new Dictionary<string, object?> { ["orderId"] = orderId, ["carrier"] = "DHL" });
        Assert.NotEqual(true, result.IsError);

        var order = await rest.GetFromJsonAsync<JsonElement>($"{StorefrontAgents.MerchantPath}/orders/{orderId}");
        Assert.Equal("fulfilled", order.GetProperty("state").GetString());
        var again = await client.CallToolAsync("fulfill_order", new Dictionary<string, object?> { ["orderId"] = orderId });
        Assert.True(again.IsError);
        Assert.Contains("Only paid orders can be fulfilled", Assert.IsType<TextContentBlock>(again.Content[0]).Text);
    }

    /// <summary>The team tools go through the same team service as REST: same rules, same roster, same refusals.</summary>
    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task Teammates_invited_and_removed_over_MCP_are_the_REST_API_s_team(CredentialKindUnderTest kind)
    {
        var bearer = kind == CredentialKindUnderTest.ApiKey
            ? await platform.ApiKeyAsync(StorefrontAgents.DemoStore, [ScopeCatalogue.ManageTeam])
            : await platform.OAuthTokenAsync([ScopeCatalogue.ManageTeam], StorefrontResource.Mcp);
        using var rest = platform.Storefront(await platform.ApiKeyAsync(StorefrontAgents.DemoStore, StorefrontAgents.AllScopes));
        await using var client = await ConnectAsync(bearer);
        var email = $"mcp-{kind}-{Guid.NewGuid():N}@example.com".ToLowerInvariant();

        var owner = await client.CallToolAsync("invite_teammate", new Dictionary<string, object?> { ["email"] = email, ["role"] = "owner" });
        Assert.True(owner.IsError);
        Assert.Contains("invalid_input: role must be admin or member", Assert.IsType<TextContentBlock>(owner.Content[0]).Text);

        var invited = ToolJson(await client.CallToolAsync("invite_teammate", new Dictionary<string, object?> { ["email"] = email, ["role"] = "member" }));
        var id = invited.GetProperty("id").GetString();
        var roster = await rest.GetFromJsonAsync<JsonElement>(StorefrontAgents.MerchantPath + "/team");
        Assert.Contains(roster.EnumerateArray(), m => m.GetProperty("id").GetString() == id && m.GetProperty("status").GetString() == "invited");

        var removed = await client.CallToolAsync("remove_teammate", new Dictionary<string, object?> { ["id"] = id });
        Assert.NotEqual(true, removed.IsError);
        roster = await rest.GetFromJsonAsync<JsonElement>(StorefrontAgents.MerchantPath + "/team");
        Assert.DoesNotContain(roster.EnumerateArray(), m => m.GetProperty("id").GetString() == id);

        // The AuthServer's refusal reaches the agent as the same kind of error REST answers with 404.
        var again = await client.CallToolAsync("remove_teammate", new Dictionary<string, object?> { ["id"] = id });
        Assert.True(again.IsError);
        Assert.Contains("not_found: The teammate was not found.", Assert.IsType<TextContentBlock>(again.Content[0]).Text);
        using var viaRest = await rest.DeleteAsync($"{StorefrontAgents.MerchantPath}/team/{id}");
        Assert.Equal(HttpStatusCode.NotFound, viaRest.StatusCode);
    }

    [Fact]
    public async Task Without_a_credential_the_client_gets_the_401_that_points_at_the_resource_metadata()
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(() => ConnectAsync(bearer: null));
        var http = FindHttpError(error);
        Assert.Equal(HttpStatusCode.Unauthorized, http.StatusCode);

        using var raw = platform.Storefront();
        using var response = await raw.PostAsJsonAsync("/mcp", new { jsonrpc = "2.0", id = 1, method = "tools/list" });
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var challenge = response.Headers.WwwAuthenticate.ToString();
        Assert.Contains($"resource_metadata=\"{platform.Endpoint("storefrontapi").ToString().TrimEnd('/')}/.well-known/oauth-protected-resource/mcp\"", challenge);
        Assert.Contains($"scope=\"{string.Join(' ', ToolScopes.Order(StringComparer.Ordinal))}\"", challenge);
    }

    [Fact]
    public async Task Calling_a_tool_without_its_scope_is_an_HTTP_403_insufficient_scope()
    {
        var key = await platform.ApiKeyAsync(StorefrontAgents.DemoStore, [ScopeCatalogue.ReadOrders]);
        await using var client = await ConnectAsync(key);

        // The SDK's filter hides the tools this credential cannot use…
        Assert.Equal(["get_order", "list_orders"], (await client.ListToolsAsync()).Select(t => t.Name).Order().ToArray());

        // …and a call to one of them is refused before the MCP handler, with the step-up challenge.
        using var raw = platform.Storefront(key);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/mcp")
        {
            Content = JsonContent.Create(new { jsonrpc = "2.0", id = 7, method = "tools/call", @params = new { name = "fulfill_order", arguments = new { orderId = Guid.NewGuid() } } }),
            Headers = { Accept = { new("application/json"), new("text/event-stream") } },
        };
        using var response = await raw.SendAsync(request);
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        var challenge = response.Headers.WwwAuthenticate.ToString();
        Assert.Contains("error=\"insufficient_scope\"", challenge);
        Assert.Contains($"scope=\"{ScopeCatalogue.WriteOrders}\"", challenge);
        Assert.Contains("resource_metadata=\"", challenge);
    }

    [Fact]
    public async Task Bad_tool_input_is_a_tool_error_not_a_server_error()
    {
        await using var client = await ConnectAsync(await platform.ApiKeyAsync(StorefrontAgents.DemoStore, ToolScopes));

        var unknownOrder = await client.CallToolAsync("get_order", new Dictionary<string, object?> { ["orderId"] = Guid.NewGuid() });
        Assert.True(unknownOrder.IsError);
        Assert.Contains("not found", Assert.IsType<TextContentBlock>(unknownOrder.Content[0]).Text);

        var badState = await client.CallToolAsync("list_orders", new Dictionary<string, object?> { ["state"] = "shipped" });
        Assert.True(badState.IsError);
        var badDays = await client.CallToolAsync("get_analytics", new Dictionary<string, object?> { ["days"] = 5000 });
        Assert.True(badDays.IsError);
    }

    private async Task<McpClient> ConnectAsync(string? bearer)
    {
        var options = new HttpClientTransportOptions
        {
            Endpoint = new Uri(platform.Endpoint("storefrontapi"), "/mcp"),
            TransportMode = HttpTransportMode.StreamableHttp,
            AdditionalHeaders = bearer is null ? null : new Dictionary<string, string> { ["Authorization"] = $"Bearer {bearer}" },
        };
        return await McpClient.CreateAsync(new HttpClientTransport(options));
    }

    private static HttpRequestException FindHttpError(Exception error)
    {
        for (Exception? e = error; e is not null; e = e.InnerException)
        {
            if (e is HttpRequestException http)
            {
                return http;
            }
        }

        throw new Xunit.Sdk.XunitException($"Expected an HTTP error, got {error}");
    }
}
