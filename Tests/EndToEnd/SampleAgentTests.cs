using AlyAspire.Shared.Credentials;
using AlyAspire.Shared.Scopes;
using AlyAspire.Tests.Infrastructure;
using AlyAspire.Tests.RateLimiter;

namespace AlyAspire.Tests.EndToEnd;

/// <summary>The SampleAgent's two paths, run as a program against the running stack.</summary>
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
}
