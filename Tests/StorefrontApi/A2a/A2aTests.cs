using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AlyAspire.Shared.Scopes;
using AlyAspire.Tests.Infrastructure;

namespace AlyAspire.Tests.StorefrontApi.A2a;

/// <summary>
/// The store's A2A agent: the card, and the official @a2a-js/sdk client (from npm, run by node) completing a structured
/// UCP checkout with an API key and with an OAuth token; raw JSON-RPC for the gate's refusals.
/// </summary>
[Collection(PlatformCollection.Name)]
public sealed class A2aTests(PlatformFixture platform)
{
    private const string Endpoint = "/api/storefront/v1/a2a";
    private static readonly string[] ShopperScopes = [ScopeCatalogue.ReadContent, ScopeCatalogue.ReadOrders, ScopeCatalogue.WriteOrders];
    private static readonly SemaphoreSlim NpmInstall = new(1, 1);

    public static TheoryData<CredentialKindUnderTest> Kinds => new() { CredentialKindUnderTest.ApiKey, CredentialKindUnderTest.OAuth };

    [Fact]
    public async Task The_agent_card_names_the_JSON_RPC_endpoint_the_skills_and_their_security()
    {
        using var anonymous = platform.Storefront();
        var card = await anonymous.GetFromJsonAsync<JsonElement>("/.well-known/agent-card.json");
        var storefront = platform.Endpoint("storefrontapi").ToString().TrimEnd('/');
        var endpoint = Assert.Single(card.GetProperty("supportedInterfaces").EnumerateArray());
        Assert.Equal(storefront + Endpoint, endpoint.GetProperty("url").GetString());
        Assert.Equal("JSONRPC", endpoint.GetProperty("protocolBinding").GetString());
        Assert.Equal("1.0", endpoint.GetProperty("protocolVersion").GetString());

        var schemes = card.GetProperty("securitySchemes");
        Assert.Equal("Bearer", schemes.GetProperty("apiKey").GetProperty("httpAuthSecurityScheme").GetProperty("scheme").GetString());
        var code = schemes.GetProperty("oauth").GetProperty("oauth2SecurityScheme").GetProperty("flows").GetProperty("authorizationCode");
        var authServer = platform.Endpoint("authserver").ToString().TrimEnd('/');
        Assert.Equal(authServer + "/oauth/authorize", code.GetProperty("authorizationUrl").GetString());
        Assert.Equal(authServer + "/oauth/token", code.GetProperty("tokenUrl").GetString());
        Assert.Equal(ScopeCatalogue.Names.Order(StringComparer.Ordinal), code.GetProperty("scopes").EnumerateObject().Select(s => s.Name).Order(StringComparer.Ordinal));

        var skills = card.GetProperty("skills").EnumerateArray().ToDictionary(s => s.GetProperty("id").GetString()!);
        Assert.Equal(["catalog", "checkout", "orders"], skills.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(ScopeCatalogue.WriteOrders, skills["checkout"].GetProperty("securityRequirements")[1].GetProperty("schemes").GetProperty("oauth").GetProperty("list")[0].GetString());
        Assert.Contains(card.GetProperty("capabilities").GetProperty("extensions").EnumerateArray(),
            e => e.GetProperty("uri").GetString() == "https://ucp.dev/2026-04-08/specification/reference");
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task The_official_JS_client_completes_a_structured_checkout_into_a_real_order(CredentialKindUnderTest kind)
    {
        var bearer = await platform.BearerAsync(kind, ShopperScopes);
        var result = await RunClientAsync(bearer);

        Assert.Equal("AlyAspire store agent", result.GetProperty("cardName").GetString());
        Assert.Equal("TASK_STATE_COMPLETED", result.GetProperty("searchState").GetString());
        Assert.Equal("TASK_STATE_INPUT_REQUIRED", result.GetProperty("addedState").GetString());
        Assert.Equal(result.GetProperty("addedTaskId").GetString(), result.GetProperty("retriedTaskId").GetString());
        Assert.Equal("TASK_STATE_COMPLETED", result.GetProperty("completedState").GetString());
        Assert.Equal(result.GetProperty("addedTaskId").GetString(), result.GetProperty("completedTaskId").GetString());
        Assert.Equal("completed", result.GetProperty("checkoutStatus").GetString());
        Assert.Equal("TASK_STATE_COMPLETED", result.GetProperty("fetchedState").GetString());
        Assert.Contains("structured data parts", result.GetProperty("textError").GetString());
        Assert.Contains("search_catalog", result.GetProperty("textError").GetString());
        Assert.Contains("not cancelable", result.GetProperty("cancelError").GetString());

        // The order is the store's: the merchant API lists it, paid.
        var orderId = result.GetProperty("orderId").GetString();
        using var admin = platform.Storefront(await platform.ApiKeyAsync(StorefrontAgents.DemoStore, StorefrontAgents.AllScopes));
        var order = await admin.GetFromJsonAsync<JsonElement>($"{StorefrontAgents.MerchantPath}/orders/{orderId}");
        Assert.Equal("paid", order.GetProperty("state").GetString());
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task A_missing_scope_is_the_403_insufficient_scope_challenge_and_no_credential_a_401(CredentialKindUnderTest kind)
    {
        using var catalogOnly = platform.Storefront(await platform.BearerAsync(kind, [ScopeCatalogue.ReadContent]));
        using var forbidden = await catalogOnly.PostAsJsonAsync(Endpoint, SendMessage(new { action = "list_orders" }));
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        var challenge = forbidden.Headers.WwwAuthenticate.ToString();
        Assert.Contains("error=\"insufficient_scope\"", challenge);
        Assert.Contains($"scope=\"{ScopeCatalogue.ReadOrders}\"", challenge);

        using var allowed = await catalogOnly.PostAsJsonAsync(Endpoint, SendMessage(new { action = "search_catalog", query = "" }));
        var answer = await allowed.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("TASK_STATE_COMPLETED", answer.GetProperty("result").GetProperty("task").GetProperty("status").GetProperty("state").GetString());

        using var anonymous = platform.Storefront();
        using var unauthorized = await anonymous.PostAsJsonAsync(Endpoint, SendMessage(new { action = "search_catalog" }));
        Assert.Equal(HttpStatusCode.Unauthorized, unauthorized.StatusCode);
        Assert.Contains("resource_metadata=\"", unauthorized.Headers.WwwAuthenticate.ToString());
    }

    [Fact]
    public async Task Bad_JSON_RPC_is_a_JSON_RPC_error_not_a_server_error()
    {
        using var agent = platform.Storefront(await platform.ApiKeyAsync(StorefrontAgents.DemoStore, ShopperScopes));
        using var malformed = await agent.PostAsync(Endpoint, new StringContent("{not json", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(-32700, (await malformed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetProperty("code").GetInt32());

        using var unknownMethod = await agent.PostAsJsonAsync(Endpoint, new { jsonrpc = "2.0", id = 1, method = "DeleteEverything", @params = new { } });
        Assert.Equal(-32601, (await unknownMethod.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetProperty("code").GetInt32());

        using var unknownAction = await agent.PostAsJsonAsync(Endpoint, SendMessage(new { action = "buy_everything" }));
        var error = (await unknownAction.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error");
        Assert.Equal(-32602, error.GetProperty("code").GetInt32());
        Assert.Contains("add_to_checkout", error.GetProperty("message").GetString());

        using var unknownTask = await agent.PostAsJsonAsync(Endpoint, new { jsonrpc = "2.0", id = 2, method = "GetTask", @params = new { id = Guid.NewGuid() } });
        Assert.Equal(-32001, (await unknownTask.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetProperty("code").GetInt32());
    }

    private static object SendMessage(object data) => new
    {
        jsonrpc = "2.0",
        id = 1,
        method = "SendMessage",
        @params = new { message = new { messageId = Guid.NewGuid().ToString(), role = "ROLE_USER", parts = new[] { new { data } } } },
    };

    private async Task<JsonElement> RunClientAsync(string bearer)
    {
        var folder = Path.Combine(RepositoryPaths.Root, "Tests", "StorefrontApi", "A2a", "client");
        await NpmInstall.WaitAsync();
        try
        {
            if (!Directory.Exists(Path.Combine(folder, "node_modules", "@a2a-js", "sdk")))
            {
                var install = await RunAsync("npm", ["ci", "--no-audit", "--no-fund"], folder, TimeSpan.FromMinutes(5));
                Assert.True(install.ExitCode == 0, $"npm ci failed: {install.Error}");
            }
        }
        finally
        {
            NpmInstall.Release();
        }

        var baseUrl = platform.Endpoint("storefrontapi").ToString().TrimEnd('/');
        var run = await RunAsync("node", ["checkout.mjs", baseUrl, bearer, "https://agent.example/.well-known/ucp"], folder, TimeSpan.FromMinutes(2));
        Assert.True(run.ExitCode == 0, $"The A2A client failed ({run.ExitCode}): {run.Error}\n{run.Output}");
        return JsonDocument.Parse(run.Output.Trim().Split('\n')[^1]).RootElement.Clone();
    }

    private static async Task<(int ExitCode, string Output, string Error)> RunAsync(string file, string[] arguments, string folder, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(file) { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        using var deadline = new CancellationTokenSource(timeout);
        var output = process.StandardOutput.ReadToEndAsync(deadline.Token);
        var error = process.StandardError.ReadToEndAsync(deadline.Token);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} did not finish within {timeout}.");
        }

        return (process.ExitCode, await output, await error);
    }
}
