using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AlyAspire.Shared.Scopes;
using AlyAspire.Tests.Infrastructure;

namespace AlyAspire.Tests.StorefrontApi;

/// <summary>Two workspaces: each credential sees only its own store, and the other's ids are simply not found.</summary>
[Collection(PlatformCollection.Name)]
public sealed class WorkspaceIsolationTests(PlatformFixture platform)
{
    private const string M = StorefrontAgents.MerchantPath;

    [Fact]
    public async Task Each_workspace_sees_only_its_own_orders_and_the_others_ids_answer_404()
    {
        using var demo = platform.Storefront(await platform.ApiKeyAsync(StorefrontAgents.DemoStore, StorefrontAgents.AllScopes));
        using var other = platform.Storefront(await platform.ApiKeyAsync(StorefrontAgents.OtherStore, StorefrontAgents.AllScopes));

        var demoOrders = await AllOrderIdsAsync(demo);
        var otherOrders = await AllOrderIdsAsync(other);
        Assert.NotEmpty(demoOrders);
        Assert.NotEmpty(otherOrders);
        Assert.Empty(demoOrders.Intersect(otherOrders));

        var foreign = otherOrders[0];
        foreach (var (method, path, body) in new (HttpMethod, string, object?)[]
                 {
                     (HttpMethod.Get, $"{M}/orders/{foreign}", null),
                     (HttpMethod.Post, $"{M}/orders/{foreign}/fulfill", new { carrier = "UPS" }),
                     (HttpMethod.Post, $"{M}/orders/{foreign}/refund", new { reason = "not mine" }),
                     (HttpMethod.Post, $"{M}/orders/{foreign}/cancel", null),
                 })
        {
            using var response = await demo.SendAsync(new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) });
            Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"{method} {path}: {response.StatusCode}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }

        // The refused writes left the other workspace's order as it was.
        var untouched = await other.GetFromJsonAsync<JsonElement>($"{M}/orders/{foreign}");
        Assert.Empty(untouched.GetProperty("fulfillments").EnumerateArray());
        Assert.Empty(untouched.GetProperty("refunds").EnumerateArray());
    }

    [Fact]
    public async Task Records_of_another_workspace_cannot_be_read_changed_or_referenced()
    {
        using var demo = platform.Storefront(await platform.ApiKeyAsync(StorefrontAgents.DemoStore, StorefrontAgents.AllScopes));
        using var other = platform.Storefront(await platform.ApiKeyAsync(StorefrontAgents.OtherStore, StorefrontAgents.AllScopes));
        var otherDriver = new StoreDriver(other);
        var product = await otherDriver.FirstIdAsync("/products");
        var customer = await otherDriver.FirstIdAsync("/customers");
        var site = await otherDriver.FirstIdAsync("/sites", items: false);
        var media = await otherDriver.FirstIdAsync("/media", items: false);

        Assert.Equal(HttpStatusCode.NotFound, (await demo.GetAsync($"{M}/products/{product}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await demo.PatchAsJsonAsync($"{M}/products/{product}", new { price = 0.01m })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await demo.GetAsync($"{M}/customers/{customer}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await demo.DeleteAsync($"{M}/sites/{site}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await demo.DeleteAsync($"{M}/media/{media}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await demo.PostAsJsonAsync($"{M}/domains", new { siteId = site, hostName = "steal.example.com" })).StatusCode);
        // An order of the demo workspace cannot be made of the other workspace's products.
        var order = await demo.PostAsJsonAsync($"{M}/orders", new { email = "x@example.com", lines = new[] { new { productId = product, quantity = 1 } } });
        Assert.Equal(HttpStatusCode.BadRequest, order.StatusCode);

        var stillThere = await other.GetFromJsonAsync<JsonElement>($"{M}/products/{product}");
        Assert.NotEqual(0.01m, stillThere.GetProperty("price").GetDecimal());
        Assert.Equal(HttpStatusCode.OK, (await other.GetAsync($"{M}/sites/{site}")).StatusCode);
    }

    [Fact]
    public async Task Analytics_and_the_activity_feed_are_per_workspace()
    {
        using var demo = platform.Storefront(await platform.ApiKeyAsync(StorefrontAgents.DemoStore, [ScopeCatalogue.ReadAnalytics]));
        using var other = platform.Storefront(await platform.ApiKeyAsync(StorefrontAgents.OtherStore, [ScopeCatalogue.ReadAnalytics]));

        var demoFeed = await demo.GetFromJsonAsync<JsonElement>($"{M}/activity?limit=200");
        var otherFeed = await other.GetFromJsonAsync<JsonElement>($"{M}/activity?limit=200");
        var demoIds = demoFeed.EnumerateArray().Select(e => e.GetProperty("id").GetGuid()).ToHashSet();
        Assert.DoesNotContain(otherFeed.EnumerateArray(), e => demoIds.Contains(e.GetProperty("id").GetGuid()));
        Assert.DoesNotContain(demoFeed.EnumerateArray(), e => e.GetProperty("summary").GetString()!.Contains("example.org", StringComparison.Ordinal));
    }

    private static async Task<List<Guid>> AllOrderIdsAsync(HttpClient client)
    {
        var ids = new List<Guid>();
        for (var page = 1; ; page++)
        {
            var list = await client.GetFromJsonAsync<JsonElement>($"{M}/orders?page={page}&pageSize=100");
            ids.AddRange(list.GetProperty("items").EnumerateArray().Select(o => o.GetProperty("id").GetGuid()));
            if (ids.Count >= list.GetProperty("total").GetInt32())
            {
                return ids;
            }
        }
    }
}
