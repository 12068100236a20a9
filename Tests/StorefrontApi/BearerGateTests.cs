using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using AlyAspire.Shared.Credentials;
using AlyAspire.Shared.Development;
using AlyAspire.Shared.Scopes;
using AlyAspire.Tests.Infrastructure;

namespace AlyAspire.Tests.StorefrontApi;

/// <summary>The bearer gate's refusals on both agent surfaces, and the discovery documents its challenges point to.</summary>
[Collection(PlatformCollection.Name)]
public sealed class BearerGateTests(PlatformFixture platform)
{
    private const string Orders = StorefrontAgents.MerchantPath + "/orders";
    private const string SessionMessage = "Session tokens are for the dashboard only; use an API key or an OAuth access token.";

    // A well-formed (unsigned) JWT: the gate refuses it by its shape, before any lookup.
    private const string JwtShaped = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwib3JnIjoiZGVtbyJ9.c2lnbmF0dXJlLW5vdC1jaGVja2Vk";

    public static TheoryData<string> Surfaces => new() { "rest", "mcp" };

    [Theory]
    [MemberData(nameof(Surfaces))]
    public async Task No_credential_gets_401_pointing_at_the_protected_resource_metadata(string surface)
    {
        using var client = platform.Storefront();
        using var response = await SendAsync(client, surface);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var challenge = Assert.Single(response.Headers.WwwAuthenticate);
        Assert.Equal("Bearer", challenge.Scheme);
        Assert.Contains($"resource_metadata=\"{MetadataUrl(surface)}\"", challenge.Parameter);
        Assert.DoesNotContain("error=", challenge.Parameter); // RFC 6750 §3.1: no error code when no credential was sent.
        Assert.Contains(surface == "mcp" ? "scope=\"" : $"scope=\"{ScopeCatalogue.ReadOrders}\"", challenge.Parameter);
    }

    [Theory]
    [MemberData(nameof(Surfaces))]
    public async Task A_JWT_shaped_bearer_is_refused_as_a_session_token(string surface)
    {
        using var client = platform.Storefront(JwtShaped);
        using var response = await SendAsync(client, surface);

        await AssertSessionRefusedAsync(response, surface);
    }

    [Theory]
    [MemberData(nameof(Surfaces))]
    public async Task The_real_dashboard_session_JWT_is_refused_as_bearer_and_as_cookie(string surface)
    {
        using var owner = new AuthServerBrowser(platform.Endpoint("authserver"));
        await owner.SignInAsync(DemoWorkspace.DefaultOwnerEmail, DemoWorkspace.DefaultOwnerPassword);
        var cookieName = CredentialFormats.DevelopmentSessionCookieName;
        var jwt = owner.SessionJwt ?? throw new InvalidOperationException("The development owner's sign-in set no session cookie.");

        using (var asBearer = platform.Storefront(jwt))
        using (var response = await SendAsync(asBearer, surface))
        {
            await AssertSessionRefusedAsync(response, surface);
        }

        using var withCookie = platform.Storefront();
        using var request = Request(surface);
        request.Headers.Add("Cookie", $"{cookieName}={jwt}");
        using var cookieResponse = await withCookie.SendAsync(request);
        await AssertSessionRefusedAsync(cookieResponse, surface);
    }

    [Theory]
    [InlineData("not-a-credential")]
    [InlineData("aly_")]
    [InlineData("aly_0000000000000000000000000000000000000000")]
    [InlineData("aly_oauth_garbled-token-that-was-never-issued")]
    public async Task A_garbled_or_unknown_bearer_gets_401_invalid_token_without_echoing_it(string bearer)
    {
        using var client = platform.Storefront(bearer);
        using var response = await client.GetAsync(Orders);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var challenge = response.Headers.WwwAuthenticate.ToString();
        Assert.Contains("error=\"invalid_token\"", challenge);
        Assert.Contains("resource_metadata=\"", challenge);
        Assert.DoesNotContain(bearer, challenge + await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Another_authorization_scheme_is_an_invalid_request()
    {
        using var client = platform.Storefront();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", "b3duZXI6cGFzc3dvcmQ=");
        using var response = await client.GetAsync(Orders);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("error=\"invalid_request\"", response.Headers.WwwAuthenticate.ToString());
    }

    [Fact]
    public async Task An_OAuth_token_for_the_MCP_resource_is_refused_by_the_REST_API_and_vice_versa()
    {
        var mcpToken = await platform.OAuthTokenAsync([ScopeCatalogue.ReadOrders], StorefrontResource.Mcp);
        var restToken = await platform.OAuthTokenAsync([ScopeCatalogue.ReadOrders], StorefrontResource.Rest);

        using (var rest = platform.Storefront(mcpToken))
        using (var refused = await rest.GetAsync(Orders))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
            Assert.Contains("error=\"invalid_token\"", refused.Headers.WwwAuthenticate.ToString());
            Assert.Contains("not issued for this resource", refused.Headers.WwwAuthenticate.ToString());
        }

        using (var rest = platform.Storefront(restToken))
        using (var allowed = await rest.GetAsync(Orders))
        {
            Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        }

        using var mcp = platform.Storefront(restToken);
        using var mcpRefused = await SendAsync(mcp, "mcp");
        Assert.Equal(HttpStatusCode.Unauthorized, mcpRefused.StatusCode);
        Assert.Contains("error=\"invalid_token\"", mcpRefused.Headers.WwwAuthenticate.ToString());
    }

    [Theory]
    [InlineData("/.well-known/oauth-protected-resource/mcp", "/mcp")]
    [InlineData("/.well-known/oauth-protected-resource", "/mcp")]
    [InlineData("/.well-known/oauth-protected-resource/api/storefront/v1", "/api/storefront/v1")]
    public async Task Protected_resource_metadata_names_the_authorization_server_and_every_scope(string path, string resourcePath)
    {
        using var client = platform.Storefront();
        var metadata = await client.GetFromJsonAsync<JsonElement>(path);

        Assert.Equal(BaseUrl + resourcePath, metadata.GetProperty("resource").GetString());
        var authorizationServer = Assert.Single(metadata.GetProperty("authorization_servers").EnumerateArray()).GetString()!;
        Assert.Equal(platform.Endpoint("authserver").ToString().TrimEnd('/'), authorizationServer.TrimEnd('/'));
        Assert.Equal(ScopeCatalogue.Names, metadata.GetProperty("scopes_supported").EnumerateArray().Select(s => s.GetString()!).ToArray());
        Assert.Equal(["header"], metadata.GetProperty("bearer_methods_supported").EnumerateArray().Select(s => s.GetString()!).ToArray());
    }

    [Fact]
    public async Task The_OpenAPI_document_names_the_bearer_scheme_and_each_operations_scope()
    {
        using var client = platform.Storefront();
        var document = await client.GetFromJsonAsync<JsonElement>("/openapi/v1.json");

        Assert.True(document.GetProperty("components").GetProperty("securitySchemes").TryGetProperty("AgentBearer", out _));
        var fulfill = document.GetProperty("paths").GetProperty(StorefrontAgents.MerchantPath + "/orders/{id}/fulfill").GetProperty("post");
        var requirement = fulfill.GetProperty("security")[0].GetProperty("AgentBearer");
        Assert.Equal(ScopeCatalogue.WriteOrders, Assert.Single(requirement.EnumerateArray()).GetString());

        using var scalar = await client.GetAsync("/scalar/");
        Assert.Equal(HttpStatusCode.OK, scalar.StatusCode);
        Assert.Contains("AlyAspire Storefront API", await scalar.Content.ReadAsStringAsync());
    }

    private string BaseUrl => platform.Endpoint("storefrontapi").ToString().TrimEnd('/');

    private string MetadataUrl(string surface) =>
        BaseUrl + "/.well-known/oauth-protected-resource" + (surface == "mcp" ? "/mcp" : "/api/storefront/v1");

    private static async Task AssertSessionRefusedAsync(HttpResponseMessage response, string surface)
    {
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var challenge = response.Headers.WwwAuthenticate.ToString();
        Assert.Contains("error=\"invalid_token\"", challenge);
        Assert.Contains($"error_description=\"{SessionMessage}\"", challenge);
        Assert.Contains("resource_metadata=\"", challenge);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(SessionMessage, problem.GetProperty("detail").GetString());
        Assert.True(surface is "rest" or "mcp");
    }

    private static HttpRequestMessage Request(string surface) => surface == "mcp"
        ? new HttpRequestMessage(HttpMethod.Post, "/mcp")
        {
            Content = JsonContent.Create(new { jsonrpc = "2.0", id = 1, method = "tools/list" }),
            Headers = { Accept = { new("application/json"), new("text/event-stream") } },
        }
        : new HttpRequestMessage(HttpMethod.Get, Orders);

    private static async Task<HttpResponseMessage> SendAsync(HttpClient client, string surface)
    {
        using var request = Request(surface);
        return await client.SendAsync(request);
    }
}
