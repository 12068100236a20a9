using AlyAspire.Shared.Credentials;
using AlyAspire.Shared.Development;
using AlyAspire.AgentGate;
using AlyAspire.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;

namespace AlyAspire.Tests.AuthServer;

/// <summary>The resource servers' verifier (AgentGate) against the real AuthServer and Redis.</summary>
[Collection(PlatformCollection.Name)]
public sealed class OAuthTokenVerifierTests(PlatformFixture platform)
{
    [Fact]
    public async Task A_cached_token_is_refused_on_the_very_next_request_after_revocation()
    {
        await using var redis = await ConnectionMultiplexer.ConnectAsync(await platform.ConnectionStringAsync("redis"));
        await using var services = await BuildAsync(redis);
        var verifier = services.GetRequiredService<ICredentialVerifier>();
        Assert.Equal(CredentialKind.OAuthAccessToken, verifier.Kind);

        var (clientId, accessToken) = await IssueAsync();
        var first = await verifier.VerifyAsync(accessToken, default);
        Assert.True(first.IsValid, first.FailureReason);
        var credential = first.Credential!;
        Assert.Equal(DemoWorkspace.Id.ToString(), credential.WorkspaceId);
        Assert.Equal(clientId, credential.ClientId);
        Assert.Equal(["read:content", "read:orders"], credential.Scopes.Order());
        Assert.NotNull(credential.UserId);
        Assert.True(credential.ExpiresAt > DateTimeOffset.UtcNow.AddMinutes(55));
        Assert.Single(credential.Audiences);

        Assert.True((await verifier.VerifyAsync(accessToken, default)).IsValid); // from the cache

        using var http = platform.CreateClient("authserver");
        using var revoke = await http.PostAsync("/oauth/revoke", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["token"] = accessToken, ["client_id"] = clientId,
        }));
        revoke.EnsureSuccessStatusCode();
        Assert.False((await verifier.VerifyAsync(accessToken, default)).IsValid);
    }

    [Fact]
    public async Task Without_redis_the_verifier_asks_the_auth_server_every_time()
    {
        var unreachable = ConfigurationOptions.Parse("127.0.0.1:1");
        unreachable.AbortOnConnectFail = false;
        unreachable.ConnectTimeout = 200;
        await using var redis = await ConnectionMultiplexer.ConnectAsync(unreachable);
        await using var services = await BuildAsync(redis);
        var verifier = services.GetRequiredService<ICredentialVerifier>();

        var (clientId, accessToken) = await IssueAsync();
        Assert.True((await verifier.VerifyAsync(accessToken, default)).IsValid);
        using var http = platform.CreateClient("authserver");
        using var revoke = await http.PostAsync("/oauth/revoke", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["token"] = accessToken, ["client_id"] = clientId,
        }));
        revoke.EnsureSuccessStatusCode();
        Assert.False((await verifier.VerifyAsync(accessToken, default)).IsValid);
    }

    [Fact]
    public async Task Twenty_concurrent_first_requests_with_a_fresh_token_share_one_introspection()
    {
        await using var redis = await ConnectionMultiplexer.ConnectAsync(await platform.ConnectionStringAsync("redis"));
        var introspections = new OutgoingCalls();
        await using var services = await BuildAsync(redis, introspections);
        var verifier = services.GetRequiredService<ICredentialVerifier>();
        var (_, accessToken) = await IssueAsync();

        var verifications = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => Task.Run(async () => await verifier.VerifyAsync(accessToken, default))));

        Assert.All(verifications, v => Assert.True(v.IsValid));
        Assert.Equal(1, introspections.Count);
    }

    [Theory]
    [InlineData("aly_someapikey")]
    [InlineData("aly_oauth_not-a-token")]
    [InlineData("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig")]
    public async Task Anything_but_an_active_access_token_is_invalid(string bearer)
    {
        await using var redis = await ConnectionMultiplexer.ConnectAsync(await platform.ConnectionStringAsync("redis"));
        await using var services = await BuildAsync(redis);
        Assert.False((await services.GetRequiredService<ICredentialVerifier>().VerifyAsync(bearer, default)).IsValid);
    }

    private async Task<(string ClientId, string AccessToken)> IssueAsync()
    {
        var (clientId, pkce, code) = await AuthServerSteps.AuthorizeAsync(platform);
        var (_, tokens) = await AuthServerSteps.TokenAsync(platform, OAuthTestClient.CodeRedemption(clientId, code, pkce.Verifier));
        return (clientId, tokens.GetProperty("access_token").GetString()!);
    }

    private async Task<ServiceProvider> BuildAsync(IConnectionMultiplexer redis, OutgoingCalls? introspections = null)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            [OAuthTokenVerifier.ClientSecretKey] = await platform.GetSecretAsync("introspection-client-secret"),
        }).Build());
        services.AddSingleton(redis);
        services.AddOAuthTokenVerification();
        // Outside the app model there is no service discovery: point the named client at the running AuthServer.
        var client = services.AddHttpClient(OAuthTokenVerifier.HttpClientName, client => client.BaseAddress = platform.Endpoint("authserver"));
        introspections?.Track(client);
        return services.BuildServiceProvider();
    }
}
