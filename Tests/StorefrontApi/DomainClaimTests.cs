using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AlyAspire.Shared.Scopes;
using AlyAspire.Tests.Infrastructure;

namespace AlyAspire.Tests.StorefrontApi;

/// <summary>
/// Domain claims: a pending claim expires and never blocks another workspace; a claim is verified by a DNS TXT
/// record (looked up by the StorefrontApi's real resolver, here against the test's DNS server); the verified one wins.
/// </summary>
[Collection(PlatformCollection.Name)]
public sealed class DomainClaimTests(PlatformFixture platform)
{
    private const string Domains = StorefrontAgents.MerchantPath + "/domains";

    [Fact]
    public async Task A_pending_claim_does_not_block_another_workspace_and_after_its_expiry_not_even_its_own()
    {
        var (demo, other) = (await StoreAsync(StorefrontAgents.DemoStore), await StoreAsync(StorefrontAgents.OtherStore));
        var host = $"{Guid.NewGuid():N}.example.org";

        var claimed = await AttachAsync(demo, host, HttpStatusCode.Created);
        Assert.Equal("pending_verification", claimed.GetProperty("status").GetString());
        Assert.InRange(claimed.GetProperty("expiresAt").GetDateTimeOffset(), DateTimeOffset.UtcNow, DateTimeOffset.UtcNow + TestStackSettings.PendingDomainClaimLifetime + TimeSpan.FromMinutes(1));
        // Another workspace is not blocked by a claim nobody has proved; the claimant cannot claim twice while it holds.
        await AttachAsync(other, host, HttpStatusCode.Created);
        await AttachAsync(demo, host, HttpStatusCode.Conflict);

        await Eventually.SucceedsAsync(async () =>
            Assert.Equal("expired", (await FindAsync(demo, host))?.GetProperty("status").GetString()), TimeSpan.FromMinutes(2));

        // An expired claim cannot be verified, even with its record published, and blocks nobody (its own workspace included).
        TestDnsServer.Shared.PublishTxt($"_alyaspire.{host}", claimed.GetProperty("verificationRecord").GetString()!);
        using var late = await demo.PostAsync($"{Domains}/{claimed.GetProperty("id").GetGuid()}/verify", null);
        Assert.Equal(HttpStatusCode.Conflict, late.StatusCode);
        var fresh = await AttachAsync(demo, host, HttpStatusCode.Created);
        Assert.NotEqual(claimed.GetProperty("verificationRecord").GetString(), fresh.GetProperty("verificationRecord").GetString());
    }

    [Fact]
    public async Task A_claim_verified_by_its_TXT_record_wins_and_removes_the_pending_claims_of_others()
    {
        var (demo, other) = (await StoreAsync(StorefrontAgents.DemoStore), await StoreAsync(StorefrontAgents.OtherStore));
        var host = $"{Guid.NewGuid():N}.example.org";
        var demoClaim = await AttachAsync(demo, host, HttpStatusCode.Created);
        var otherClaim = await AttachAsync(other, host, HttpStatusCode.Created);

        // Only the record of the workspace that controls the DNS is published.
        TestDnsServer.Shared.PublishTxt($"_alyaspire.{host}", otherClaim.GetProperty("verificationRecord").GetString()!);
        using var unproven = await demo.PostAsync($"{Domains}/{demoClaim.GetProperty("id").GetGuid()}/verify", null);
        Assert.Equal(HttpStatusCode.Conflict, unproven.StatusCode);
        Assert.Contains($"_alyaspire.{host}", await unproven.Content.ReadAsStringAsync());

        using var proven = await other.PostAsync($"{Domains}/{otherClaim.GetProperty("id").GetGuid()}/verify", null);
        Assert.Equal(HttpStatusCode.OK, proven.StatusCode);
        var verified = await proven.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("verified", verified.GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Null, verified.GetProperty("expiresAt").ValueKind);

        Assert.Null(await FindAsync(demo, host));
        await AttachAsync(demo, host, HttpStatusCode.Conflict);
        Assert.Equal("verified", (await FindAsync(other, host))?.GetProperty("status").GetString());
    }

    private async Task<HttpClient> StoreAsync(Guid workspace)
    {
        var client = platform.Storefront(await platform.ApiKeyAsync(workspace, [ScopeCatalogue.ManageDomains, ScopeCatalogue.ReadSites]));
        return client;
    }

    private static async Task<JsonElement> AttachAsync(HttpClient store, string host, HttpStatusCode expected)
    {
        var sites = await store.GetFromJsonAsync<JsonElement>($"{StorefrontAgents.MerchantPath}/sites");
        var site = (sites.ValueKind == JsonValueKind.Array ? sites : sites.GetProperty("items"))[0].GetProperty("id").GetGuid();
        using var response = await store.PostAsJsonAsync(Domains, new { siteId = site, hostName = host });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(expected == response.StatusCode, $"{response.StatusCode}: {body}");
        return JsonSerializer.Deserialize<JsonElement>(body);
    }

    private static async Task<JsonElement?> FindAsync(HttpClient store, string host)
    {
        var domains = await store.GetFromJsonAsync<JsonElement>(Domains);
        return domains.EnumerateArray().Where(d => d.GetProperty("hostName").GetString() == host).Select(d => (JsonElement?)d).FirstOrDefault();
    }
}
