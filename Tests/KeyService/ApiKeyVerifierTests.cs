using AlyAspire.AgentGate;
using AlyAspire.Shared.ApiKeys;
using AlyAspire.Shared.Credentials;
using AlyAspire.Shared.Scopes;
using AlyAspire.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;

namespace AlyAspire.Tests.KeyService;

[Collection(PlatformCollection.Name)]
public sealed class ApiKeyVerifierTests(PlatformFixture platform)
{
    [Fact]
    public async Task A_valid_key_becomes_an_agent_credential_and_is_then_served_from_cache()
    {
        await using var harness = await VerifierHarness.StartAsync(platform);
        var keys = await platform.ApiKeyClientAsync();
        var workspace = Guid.NewGuid();
        var actor = KeyServiceClients.Owner(workspace);
        var created = await keys.CreateAsync(workspace, KeyServiceClients.Request(ScopeCatalogue.ReadOrders, ScopeCatalogue.ReadContent), actor);

        var first = await harness.Verifier.VerifyAsync(created.Secret, default);
        var second = await harness.Verifier.VerifyAsync(created.Secret, default);

        var credential = Assert.IsType<VerifiedCredential>(first.Credential);
        Assert.Equal(CredentialKind.ApiKey, credential.Kind);
        Assert.Equal(created.Key.Id.ToString(), credential.CredentialId);
        Assert.Equal(workspace.ToString(), credential.WorkspaceId);
        Assert.Equal(TestActors.IdOf(actor), credential.UserId);
        Assert.Equal([ScopeCatalogue.ReadOrders, ScopeCatalogue.ReadContent], credential.Scopes);
        Assert.Equal(credential, second.Credential);
        Assert.Equal(1, harness.KeyServiceCalls);
    }

    [Fact]
    public async Task Fifty_concurrent_first_requests_with_a_fresh_key_share_one_KeyService_verification()
    {
        await using var harness = await VerifierHarness.StartAsync(platform);
        var keys = await platform.ApiKeyClientAsync();
        var workspace = Guid.NewGuid();
        var created = await keys.CreateAsync(workspace, KeyServiceClients.Request(ScopeCatalogue.ReadOrders), KeyServiceClients.Owner(workspace));

        // Each either joins the one call under way or, once it has answered, is served from the cache.
        var verifications = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => Task.Run(async () => await harness.Verifier.VerifyAsync(created.Secret, default))));

        Assert.All(verifications, v => Assert.Equal(created.Key.Id.ToString(), v.Credential?.CredentialId));
        Assert.Equal(1, harness.KeyServiceCalls);
    }

    [Theory]
    [InlineData("aly_tooshort", ApiKeyInvalidReasons.Malformed)]
    [InlineData("aly_0123456789ABCDEFGHIJKLMNOPQRSTUV000000", ApiKeyInvalidReasons.BadChecksum)]
    public async Task Malformed_and_mistyped_keys_never_leave_the_process(string bearer, string reason)
    {
        await using var harness = await VerifierHarness.StartAsync(platform);

        var result = await harness.Verifier.VerifyAsync(bearer, default);

        Assert.False(result.IsValid);
        Assert.Equal(reason, result.FailureReason);
        Assert.Equal(0, harness.KeyServiceCalls);
    }

    [Fact]
    public async Task An_unknown_key_is_refused_and_not_cached()
    {
        await using var harness = await VerifierHarness.StartAsync(platform);
        var made_up = ApiKeyFormat.Generate();

        Assert.Equal(ApiKeyInvalidReasons.Unknown, (await harness.Verifier.VerifyAsync(made_up, default)).FailureReason);
        Assert.Equal(ApiKeyInvalidReasons.Unknown, (await harness.Verifier.VerifyAsync(made_up, default)).FailureReason);
        Assert.Equal(2, harness.KeyServiceCalls);
    }

    [Fact]
    public async Task A_cached_key_fails_at_its_expiry_by_the_clock_without_asking_KeyService()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var harness = await VerifierHarness.StartAsync(platform, clock);
        var keys = await platform.ApiKeyClientAsync();
        var fresh = Guid.NewGuid();
        var created = await keys.CreateAsync(
            fresh,
            new CreateApiKeyRequest("expiring", [ScopeCatalogue.ReadOrders], DateTimeOffset.UtcNow.AddHours(1)), KeyServiceClients.Owner(fresh));

        Assert.True((await harness.Verifier.VerifyAsync(created.Secret, default)).IsValid);
        clock.Advance(TimeSpan.FromMinutes(59));
        Assert.True((await harness.Verifier.VerifyAsync(created.Secret, default)).IsValid);
        clock.Advance(TimeSpan.FromMinutes(2));
        var expired = await harness.Verifier.VerifyAsync(created.Secret, default);

        Assert.Equal(ApiKeyInvalidReasons.Expired, expired.FailureReason);
        // Asked at first sight and once more after the five-minute cache lifetime ran out; the expiry itself needed no call.
        Assert.Equal(2, harness.KeyServiceCalls);
    }

    [Fact]
    public async Task A_rolled_keys_old_secret_works_until_its_grace_expiry_and_not_after()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var harness = await VerifierHarness.StartAsync(platform, clock);
        var keys = await platform.ApiKeyClientAsync();
        var workspace = Guid.NewGuid();
        var actor = KeyServiceClients.Owner(workspace);
        var created = await keys.CreateAsync(workspace, KeyServiceClients.Request(), actor);
        Assert.True((await harness.Verifier.VerifyAsync(created.Secret, default)).IsValid);

        var rolled = await keys.RollAsync(workspace, created.Key.Id, new RollApiKeyRequest(2), actor);

        foreach (var elapsed in new[] { 1, 30, 60, 119 })
        {
            clock.SetUtcNow(clock.Start.AddMinutes(elapsed));
            Assert.True((await harness.Verifier.VerifyAsync(created.Secret, default)).IsValid, $"old secret after {elapsed} min");
        }

        clock.SetUtcNow(clock.Start.AddMinutes(121));
        Assert.Equal(ApiKeyInvalidReasons.Expired, (await harness.Verifier.VerifyAsync(created.Secret, default)).FailureReason);
        Assert.True((await harness.Verifier.VerifyAsync(rolled.Secret, default)).IsValid);
    }

    [Fact]
    public async Task A_cached_key_is_refused_by_its_revocation_marker_even_without_the_eviction_message()
    {
        await using var harness = await VerifierHarness.StartAsync(platform, subscribeToRevocations: false);
        var keys = await platform.ApiKeyClientAsync();
        var workspace = Guid.NewGuid();
        var actor = KeyServiceClients.Owner(workspace);
        var created = await keys.CreateAsync(workspace, KeyServiceClients.Request(), actor);
        Assert.True((await harness.Verifier.VerifyAsync(created.Secret, default)).IsValid);

        await keys.RevokeAsync(workspace, created.Key.Id, actor);
        var afterRevoke = await harness.Verifier.VerifyAsync(created.Secret, default);

        Assert.Equal(ApiKeyInvalidReasons.Revoked, afterRevoke.FailureReason);
        Assert.Equal(1, harness.KeyServiceCalls);
    }

    [Fact]
    public async Task Without_Redis_the_cache_is_bypassed_and_KeyService_decides()
    {
        var unreachable = new ConfigurationOptions { EndPoints = { { "127.0.0.1", 1 } }, AbortOnConnectFail = false, ConnectTimeout = 500 };
        await using var harness = await VerifierHarness.StartAsync(platform, redisOptions: unreachable);
        var keys = await platform.ApiKeyClientAsync();
        var workspace = Guid.NewGuid();
        var actor = KeyServiceClients.Owner(workspace);
        var created = await keys.CreateAsync(workspace, KeyServiceClients.Request(), actor);

        Assert.True((await harness.Verifier.VerifyAsync(created.Secret, default)).IsValid);
        Assert.True((await harness.Verifier.VerifyAsync(created.Secret, default)).IsValid);
        Assert.Equal(2, harness.KeyServiceCalls);

        // KeyService writes its marker to the real Redis; this verifier cannot see it, and must not need to.
        await keys.RevokeAsync(workspace, created.Key.Id, actor);
        Assert.Equal(ApiKeyInvalidReasons.Revoked, (await harness.Verifier.VerifyAsync(created.Secret, default)).FailureReason);
    }

    /// <summary>
    /// Two independent verifiers (two processes' worth of cache and Redis connection), both warm; after each
    /// revoke call returns, the very next verification on both must fail. 1,000 trials, zero successes allowed.
    /// </summary>
    [Fact]
    public async Task A_revoked_key_fails_on_the_next_call_on_both_verifiers_in_1000_trials()
    {
        const int trials = 1_000;
        await using var first = await VerifierHarness.StartAsync(platform);
        await using var second = await VerifierHarness.StartAsync(platform);
        var keys = await platform.ApiKeyClientAsync();
        var workspace = Guid.NewGuid();
        var actor = KeyServiceClients.Owner(workspace);
        var created = new ApiKeyWithSecret[trials];
        await Parallel.ForAsync(0, trials, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, ct) =>
            created[i] = await keys.CreateAsync(workspace, KeyServiceClients.Request(), actor, ct));

        var successesAfterRevoke = 0;
        var servedFromCacheBeforeRevoke = 0;
        foreach (var key in created)
        {
            foreach (var verifier in new[] { first, second })
            {
                Assert.True((await verifier.Verifier.VerifyAsync(key.Secret, default)).IsValid);
                var callsBefore = verifier.KeyServiceCalls;
                Assert.True((await verifier.Verifier.VerifyAsync(key.Secret, default)).IsValid);
                servedFromCacheBeforeRevoke += verifier.KeyServiceCalls == callsBefore ? 1 : 0;
            }

            await keys.RevokeAsync(workspace, key.Key.Id, actor);

            foreach (var verifier in new[] { first, second })
            {
                var next = await verifier.Verifier.VerifyAsync(key.Secret, default);
                successesAfterRevoke += next.IsValid ? 1 : 0;
                Assert.Equal(ApiKeyInvalidReasons.Revoked, next.FailureReason);
            }
        }

        Assert.Equal(0, successesAfterRevoke);
        Assert.Equal(2 * trials, servedFromCacheBeforeRevoke);
    }
}
