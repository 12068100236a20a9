using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using AlyAspire.Shared.Credentials;
using AlyAspire.Shared.Development;
using AlyAspire.Tests.Infrastructure;

namespace AlyAspire.Tests.EndToEnd;

/// <summary>
/// Machine clients (client_credentials), end to end: created by the workspace owner on the dashboard in a real
/// browser, tokens from the token endpoint, agent calls with them, rotation with and without grace, deletion.
/// </summary>
[Collection(PlatformCollection.Name)]
public sealed class MachineClientTests(PlatformFixture platform)
{
    [Fact]
    public async Task A_machine_client_from_the_dashboard_gets_workspace_tokens_and_loses_them_on_rotation_and_deletion()
    {
        await using var person = await BrowserPerson.StartAsync(platform);
        await person.OpenAsync(MachineClientSteps.PagePath);
        var name = $"nightly export {Guid.NewGuid():N}"[..24];
        var (clientId, firstSecret) = await MachineClientSteps.CreateAsync(person, name, ["read:orders", "read:content"]);
        await person.Page.ScreenshotAsync(new() { Path = Path.Combine(RepositoryPaths.Artifacts, "machine-client-created.png"), FullPage = true });

        // All the client's scopes when it names none; a narrower set when it asks; nothing beyond them.
        var (status, body) = await MachineClientSteps.GrantAsync(platform, clientId, firstSecret);
        Assert.Equal(HttpStatusCode.OK, status);
        var firstToken = body.GetProperty("access_token").GetString()!;
        Assert.StartsWith(CredentialFormats.OAuthAccessTokenPrefix, firstToken);
        Assert.Equal("Bearer", body.GetProperty("token_type").GetString());
        Assert.Equal(["read:content", "read:orders"], body.GetProperty("scope").GetString()!.Split(' ').Order());
        Assert.False(body.TryGetProperty("refresh_token", out _));
        (status, body) = await MachineClientSteps.GrantAsync(platform, clientId, firstSecret, "read:orders");
        Assert.Equal(HttpStatusCode.OK, status);
        var narrowed = await MeAsync(body.GetProperty("access_token").GetString()!);
        Assert.Equal(["read:orders"], narrowed.GetProperty("scopes").EnumerateArray().Select(s => s.GetString()));
        (status, body) = await MachineClientSteps.GrantAsync(platform, clientId, firstSecret, "write:orders");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        // OpenIddict's answer to a scope outside the client's permissions.
        Assert.Equal("invalid_request", body.GetProperty("error").GetString());
        Assert.False(body.TryGetProperty("access_token", out _));

        // The token is the workspace's, with no person behind it, on every agent surface.
        var me = await MeAsync(firstToken);
        Assert.Equal(DemoWorkspace.Id.ToString(), me.GetProperty("workspaceId").GetString());
        Assert.Equal(clientId, me.GetProperty("clientId").GetString());
        Assert.True(!me.TryGetProperty("userId", out var userId) || userId.ValueKind == JsonValueKind.Null);
        Assert.Equal(HttpStatusCode.OK, await AgentCalls.GetOrdersAsync(platform, firstToken));
        Assert.Equal(HttpStatusCode.OK, await AgentCalls.GetOrdersAsync(platform, firstToken)); // now cached by the gate
        Assert.Equal(HttpStatusCode.OK, await McpToolsListAsync(firstToken));

        // Shown once.
        await person.OpenAsync(MachineClientSteps.PagePath);
        Assert.DoesNotContain(firstSecret, await person.Page.ContentAsync());

        // Rotation with a grace period: both secrets work.
        var secondSecret = await MachineClientSteps.RotateAsync(person, name, graceHours: 1);
        Assert.Equal(HttpStatusCode.OK, (await MachineClientSteps.GrantAsync(platform, clientId, secondSecret)).Status);
        Assert.Equal(HttpStatusCode.OK, (await MachineClientSteps.GrantAsync(platform, clientId, firstSecret)).Status);

        // Rotation without grace: the secret just used successfully fails on the very next request.
        var thirdSecret = await MachineClientSteps.RotateAsync(person, name, graceHours: 0);
        (status, body) = await MachineClientSteps.GrantAsync(platform, clientId, secondSecret);
        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Equal("invalid_client", body.GetProperty("error").GetString());
        Assert.Equal(HttpStatusCode.Unauthorized, (await MachineClientSteps.GrantAsync(platform, clientId, firstSecret)).Status);
        (status, body) = await MachineClientSteps.GrantAsync(platform, clientId, thirdSecret);
        Assert.Equal(HttpStatusCode.OK, status);
        var thirdToken = body.GetProperty("access_token").GetString()!;
        Assert.Equal(HttpStatusCode.OK, await AgentCalls.GetOrdersAsync(platform, thirdToken));
        Assert.Equal(HttpStatusCode.OK, await AgentCalls.GetOrdersAsync(platform, firstToken)); // tokens outlive a rotation

        // Deletion: every token dies on the next call (cached at the gate or not), and so does the secret.
        await person.Page.Locator($"tr:has-text('{name}') form[action*='handler=Delete'] [type=submit]").ClickAsync();
        await person.Page.WaitForLoadStateAsync();
        Assert.DoesNotContain(clientId, await person.Page.ContentAsync());
        Assert.Equal(HttpStatusCode.Unauthorized, await AgentCalls.GetOrdersAsync(platform, firstToken));
        Assert.Equal(HttpStatusCode.Unauthorized, await AgentCalls.GetOrdersAsync(platform, thirdToken));
        (status, body) = await MachineClientSteps.GrantAsync(platform, clientId, thirdSecret);
        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Equal("invalid_client", body.GetProperty("error").GetString());
    }

    [Fact]
    public async Task A_grant_answered_ahead_of_OpenIddicts_pipeline_is_the_grant_OpenIddict_gives()
    {
        await using var person = await BrowserPerson.StartAsync(platform);
        await person.OpenAsync(MachineClientSteps.PagePath);
        var name = $"direct grant {Guid.NewGuid():N}"[..24];
        var (clientId, secret) = await MachineClientSteps.CreateAsync(person, name, ["read:orders", "read:content"]);

        // A secret the AuthServer has not verified yet goes through OpenIddict (and its PBKDF2); once verified, the
        // client's grants are answered by ClientCredentialsTokenIssuer. Both answers, and both tokens, must agree.
        foreach (var scope in new string?[] { "read:orders", "read:content read:orders", null })
        {
            var fresh = await MachineClientSteps.RotateAsync(person, name, graceHours: 0);
            var (pipelineStatus, viaPipeline) = await MachineClientSteps.GrantAsync(platform, clientId, fresh, scope);
            var (directStatus, direct) = await MachineClientSteps.GrantAsync(platform, clientId, fresh, scope);
            Assert.Equal(HttpStatusCode.OK, pipelineStatus);
            Assert.Equal(HttpStatusCode.OK, directStatus);
            Assert.Equal(PropertyNames(viaPipeline), PropertyNames(direct));
            Assert.Equal(viaPipeline.GetProperty("token_type").GetString(), direct.GetProperty("token_type").GetString());
            Assert.InRange(direct.GetProperty("expires_in").GetInt64() - viaPipeline.GetProperty("expires_in").GetInt64(), -5, 5);

            var pipelineToken = viaPipeline.GetProperty("access_token").GetString()!;
            var directToken = direct.GetProperty("access_token").GetString()!;
            Assert.StartsWith(CredentialFormats.OAuthAccessTokenPrefix, directToken);
            Assert.NotEqual(pipelineToken, directToken);
            var pipelineClaims = await AlyAspire.Tests.AuthServer.AuthServerSteps.IntrospectAsync(platform, pipelineToken);
            var directClaims = await AlyAspire.Tests.AuthServer.AuthServerSteps.IntrospectAsync(platform, directToken);
            Assert.True(directClaims.GetProperty("active").GetBoolean(), directClaims.ToString());
            Assert.Equal(PropertyNames(pipelineClaims), PropertyNames(directClaims));
            foreach (var claim in PropertyNames(pipelineClaims).Except(["jti", "iat", "nbf", "exp"]))
            {
                Assert.Equal(pipelineClaims.GetProperty(claim).ToString(), directClaims.GetProperty(claim).ToString());
            }

            var (pipelineMe, directMe) = (await MeAsync(pipelineToken), await MeAsync(directToken));
            Assert.Equal(PropertyNames(pipelineMe), PropertyNames(directMe));
            foreach (var property in PropertyNames(pipelineMe).Except(["credentialId"]))
            {
                Assert.Equal(pipelineMe.GetProperty(property).ToString(), directMe.GetProperty(property).ToString());
            }
        }

        // The direct answer stops with the secret: a grace-less rotation refuses the secret just used on the next request.
        var last = await MachineClientSteps.RotateAsync(person, name, graceHours: 0);
        Assert.Equal(HttpStatusCode.OK, (await MachineClientSteps.GrantAsync(platform, clientId, last)).Status);
        Assert.Equal(HttpStatusCode.OK, (await MachineClientSteps.GrantAsync(platform, clientId, last)).Status);
        await MachineClientSteps.RotateAsync(person, name, graceHours: 0);
        var (status, body) = await MachineClientSteps.GrantAsync(platform, clientId, last);
        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Equal("invalid_client", body.GetProperty("error").GetString());
    }

    private static string[] PropertyNames(JsonElement body) => [.. body.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal)];

    [Fact]
    public async Task A_public_client_cannot_use_the_client_credentials_grant()
    {
        using var authServer = platform.CreateClient("authserver");
        var clientId = await new OAuthTestClient(authServer).RegisterPublicClientAsync();
        using var response = await authServer.PostAsync("/oauth/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = clientId,
        }));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        // OpenIddict refuses the grant for a client without a secret before any permission is looked at.
        Assert.Equal("invalid_request", body.GetProperty("error").GetString());
        Assert.False(body.TryGetProperty("access_token", out _));
    }

    private async Task<JsonElement> MeAsync(string token)
    {
        using var storefront = platform.CreateClient("storefrontapi");
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/storefront/v1/merchant/me");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await storefront.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private async Task<HttpStatusCode> McpToolsListAsync(string token)
    {
        using var storefront = platform.CreateClient("storefrontapi");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/mcp")
        {
            Content = new StringContent("""{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"machine-client-test","version":"1"}}}""",
                Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        request.Headers.Accept.ParseAdd("application/json");
        request.Headers.Accept.ParseAdd("text/event-stream");
        using var response = await storefront.SendAsync(request);
        return response.StatusCode;
    }
}
