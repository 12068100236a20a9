using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using AlyAspire.Shared.Credentials;
using AlyAspire.Shared.Scopes;
using AlyAspire.Tests.Infrastructure;
using AlyAspire.Tests.RateLimiter;
using AlyAspire.Tests.StorefrontApi;

namespace AlyAspire.Tests.EndToEnd;

/// <summary>The SampleAgent's paths (OAuth + PKCE, API key, MCP, UCP), run as a program against the running stack.</summary>
[Collection(PlatformCollection.Name)]
public sealed class SampleAgentTests(PlatformFixture platform)
{
    [Fact]
    public async Task Pkce_headless_walks_discovery_registration_consent_tokens_refresh_and_revocation()
    {
        var (exitCode, output) = await SampleAgentRunner.RunAsync(platform, null, "pkce", "--headless");

        Assert.True(exitCode == 0, output);
        Assert.Contains("OK: the OAuth 2.1 + PKCE path behaves as promised.", output);
        Assert.Contains("GET /orders after revocation is refused", output);
        // Secrets only ever in their display form.
        Assert.DoesNotMatch(@"aly_oauth_[A-Za-z0-9_\-]{12,}", output);
    }

    [Fact]
    public async Task Apikey_calls_sees_403_for_a_missing_scope_then_429_and_honours_retry_after()
    {
        // A workspace of its own with a small budget, so the burst meets the workspace limit quickly and
        // nobody else's budget is spent.
        var workspace = Guid.NewGuid();
        var limit = new LimitDto(RequestsPerWindow: 30, WindowSeconds: 30, Burst: 30);
        await RateLimiterAdmin.SetLimitsAsync(platform, workspace.ToString(), limit, limit);

        var key = await TestCredentials.CreateApiKeyAsync(platform, workspace, [ScopeCatalogue.ReadOrders, ScopeCatalogue.ReadContent]);

        var (exitCode, output) = await SampleAgentRunner.RunAsync(platform, new Dictionary<string, string> { ["ALY_API_KEY"] = key }, "apikey");

        Assert.True(exitCode == 0, output);
        Assert.Contains("OK: the API key path behaves as promised.", output);
        Assert.Contains("insufficient_scope", output);
        Assert.Contains("Retry-After:", output);
        Assert.DoesNotContain(key, output);
        Assert.Contains(CredentialFormats.DisplayForm(key), output);
    }

    [Fact]
    public async Task Mcp_headless_discovers_registers_signs_in_with_the_SDKs_OAuth_then_lists_and_calls_tools()
    {
        await platform.RaiseLimitsAsync(StorefrontAgents.DemoStore); // the development owner's token is for the demo workspace

        var (exitCode, output) = await SampleAgentRunner.RunAsync(platform, null, "mcp", "--headless");
        await File.WriteAllTextAsync(Path.Combine(RepositoryPaths.Artifacts, "sampleagent-mcp.txt"), output);

        Assert.True(exitCode == 0, output);
        // The SDK walked the MCP authorization spec's chain: 401 → resource metadata → AS metadata → registration → token.
        Assert.Matches(@"1\. ✓ SDK: POST /mcp \([a-z/]+\)\s+401", output);
        Assert.Contains("resource_metadata=\"" + platform.Endpoint("storefrontapi").ToString().TrimEnd('/') + "/.well-known/oauth-protected-resource/mcp\"", output);
        Assert.Matches(@"SDK: GET /\.well-known/oauth-protected-resource/mcp\s+200", output);
        Assert.Matches(@"SDK: GET /\.well-known/oauth-authorization-server\s+200", output);
        Assert.Matches(@"SDK: POST /oauth/register\s+201", output);
        Assert.Contains("registered client_id client_", output);
        Assert.Contains("✓ Allow access on the consent page", output);
        Assert.Matches(@"SDK: POST /oauth/token\s+200", output);
        Assert.Matches(@"SDK: POST /mcp \(tools/list\)\s+200", output);
        Assert.Contains("✓ tools/call list_orders", output);
        Assert.Contains("OK: the MCP path behaves as promised.", output);

        // Least privilege: only the tools of the scopes it asked for (read:orders read:content read:customers).
        Assert.Matches(new Regex(@"^\s+find_customers get_order get_product list_orders list_products\r?$", RegexOptions.Multiline), output);

        // The newest order the tool listed is the demo store's newest order.
        using var admin = platform.Storefront(await platform.ApiKeyAsync(StorefrontAgents.DemoStore, [ScopeCatalogue.ReadOrders]));
        var newest = (await admin.GetFromJsonAsync<JsonElement>($"{StorefrontAgents.MerchantPath}/orders?pageSize=1")).GetProperty("items")[0];
        Assert.Contains(newest.GetProperty("id").GetString()!, output);

        Assert.DoesNotMatch(@"aly_(oauth|refresh)_[A-Za-z0-9_\-]{12,}", output);
    }

    [Fact]
    public async Task Mcp_fails_with_a_non_zero_exit_when_the_granted_scopes_bring_no_order_tools()
    {
        await platform.RaiseLimitsAsync(StorefrontAgents.DemoStore);

        // The SDK requests only read:content, so tools/list offers no order tools and the agent must fail.
        var (exitCode, output) = await SampleAgentRunner.RunAsync(platform, null, "mcp", "--headless", "--scope", ScopeCatalogue.ReadContent);

        Assert.Equal(1, exitCode);
        Assert.Matches(new Regex(@"^\s+get_product list_products\r?$", RegexOptions.Multiline), output);
        Assert.Contains("tools/list has no list_orders and get_order", output);
        Assert.Contains("FAILED: the platform did not behave as promised.", output);
    }

    [Fact]
    public async Task Ucp_reads_the_profile_searches_checks_out_completes_and_the_order_is_in_the_store()
    {
        var key = await TestCredentials.CreateApiKeyAsync(platform, StorefrontAgents.DemoStore,
            [ScopeCatalogue.ReadContent, ScopeCatalogue.ReadOrders, ScopeCatalogue.WriteOrders]);
        await platform.RaiseLimitsAsync(StorefrontAgents.DemoStore);

        var (exitCode, output) = await SampleAgentRunner.RunAsync(platform, new Dictionary<string, string> { ["ALY_API_KEY"] = key }, "ucp");
        await File.WriteAllTextAsync(Path.Combine(RepositoryPaths.Artifacts, "sampleagent-ucp.txt"), output);

        Assert.True(exitCode == 0, output);
        Assert.Contains("UCP 2026-04-08", output);
        Assert.Contains("status ready_for_complete", output);
        Assert.Contains("status completed", output);
        Assert.Contains("the same order: no second order was placed", output);
        Assert.Contains("OK: the UCP path behaves as promised.", output);
        Assert.DoesNotContain(key, output);
        Assert.Contains(CredentialFormats.DisplayForm(key), output);

        // The order the agent placed is a paid order of the store, exactly once, at the checkout's total.
        var placed = Regex.Match(output, @"status completed\s+order #(?<number>\d+) (?<id>[0-9a-f-]{36})");
        Assert.True(placed.Success, output);
        var total = long.Parse(Regex.Match(output, @"checkout [0-9a-f-]{36}\s+status ready_for_complete\s+total (?<total>\d+)").Groups["total"].Value,
            System.Globalization.CultureInfo.InvariantCulture);
        using var admin = platform.Storefront(await platform.ApiKeyAsync(StorefrontAgents.DemoStore, [ScopeCatalogue.ReadOrders]));
        var orders = await admin.GetFromJsonAsync<JsonElement>($"{StorefrontAgents.MerchantPath}/orders?state=paid&pageSize=100");
        var order = Assert.Single(orders.GetProperty("items").EnumerateArray(), o => o.GetProperty("id").GetString() == placed.Groups["id"].Value);
        Assert.Equal(int.Parse(placed.Groups["number"].Value, System.Globalization.CultureInfo.InvariantCulture), order.GetProperty("number").GetInt32());
        Assert.Equal("sample-agent@shopper.example", order.GetProperty("email").GetString());
        Assert.Equal(total, (long)(order.GetProperty("total").GetDecimal() * 100));
    }

    [Fact]
    public async Task Ucp_fails_with_a_non_zero_exit_when_the_key_may_not_complete_a_checkout()
    {
        // Without write:orders the checkout is refused (403 insufficient_scope): the agent must say so and fail.
        var key = await TestCredentials.CreateApiKeyAsync(platform, StorefrontAgents.DemoStore, [ScopeCatalogue.ReadContent, ScopeCatalogue.ReadOrders]);
        await platform.RaiseLimitsAsync(StorefrontAgents.DemoStore);

        var (exitCode, output) = await SampleAgentRunner.RunAsync(platform, new Dictionary<string, string> { ["ALY_API_KEY"] = key }, "ucp");

        Assert.Equal(1, exitCode);
        Assert.Contains("✗ POST /checkout-sessions", output);
        Assert.Contains("expected 201, got 403", output);
        Assert.Contains("FAILED: the platform did not behave as promised.", output);
        Assert.DoesNotContain(key, output);
    }
}
