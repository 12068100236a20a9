using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using AlyAspire.Tests.Infrastructure;

namespace AlyAspire.Tests.StorefrontApi;

/// <summary>Bad input gets a 4xx RFC 9457 problem, never a 500, and a refused write changes nothing.</summary>
[Collection(PlatformCollection.Name)]
public sealed class BadInputTests(PlatformFixture platform)
{
    private const string M = StorefrontAgents.MerchantPath;

    public static TheoryData<string, string, string?, int> Requests => new()
    {
        { "POST", "/products", "{\"title\": \"Broken", 400 },                        // malformed JSON
        { "POST", "/products", "{\"title\": \"Mug\", \"price\": \"cheap\"}", 400 },    // wrong type
        { "POST", "/products", "[1, 2, 3]", 400 },                                     // wrong shape
        { "POST", "/products", "{\"title\": \"\"}", 400 },                             // fails validation
        { "POST", "/products", "{\"title\": \"Mug\", \"price\": -1}", 400 },
        { "POST", "/products", "{\"title\": \"Mug\", \"status\": \"sold\"}", 400 },
        { "POST", "/products", null, 400 },                                            // no body at all
        { "PATCH", "/products/not-a-guid", "{}", 404 },
        { "GET", "/orders?page=0", null, 400 },
        { "GET", "/orders?pageSize=1000", null, 400 },
        { "GET", "/orders?page=abc", null, 400 },
        { "GET", "/orders?page=2147483647&pageSize=100", null, 400 },   // (page - 1) * pageSize would overflow the offset
        { "GET", "/products?page=99999999999", null, 400 },           // not an int at all
        { "GET", "/orders?state=shipped", null, 400 },
        { "GET", "/orders/00000000-0000-0000-0000-000000000000", null, 404 },
        { "POST", "/orders/00000000-0000-0000-0000-000000000001/refund", "{\"reason\": \"x\"}", 404 },
        { "POST", "/orders", "{\"email\": \"a@b.c\", \"lines\": []}", 400 },
        { "POST", "/orders", "{\"email\": \"a@b.c\", \"lines\": [{\"productId\": \"nope\", \"quantity\": 1}]}", 400 },
        { "GET", "/analytics/summary?days=-3", null, 400 },
        { "GET", "/activity?before=yesterday", null, 400 },
        { "POST", "/domains", "{\"siteId\": \"00000000-0000-0000-0000-000000000000\", \"hostName\": \"not a host\"}", 400 },
        { "POST", "/media", "{\"fileName\": \"../../etc/passwd\", \"contentType\": \"image/png\", \"sizeBytes\": 10}", 400 },
        { "PATCH", "/workspace/settings", "{\"timezone\": \"Mars/Olympus\"}", 400 },
        { "POST", "/team/invitations", "{\"email\": \"new@demo.store\", \"role\": \"owner\"}", 400 },
        { "DELETE", "/team/00000000-0000-0000-0000-000000000000", null, 404 },
        { "GET", "/no-such-endpoint", null, 404 },
    };

    [Theory]
    [MemberData(nameof(Requests))]
    public async Task Bad_requests_get_a_4xx_problem(string method, string path, string? body, int expected)
    {
        using var client = platform.Storefront(await platform.ApiKeyAsync(StorefrontAgents.DemoStore, StorefrontAgents.AllScopes));
        using var request = new HttpRequestMessage(new HttpMethod(method), M + path)
        {
            Content = body is null ? null : new StringContent(body, Encoding.UTF8, "application/json"),
        };
        using var response = await client.SendAsync(request);

        Assert.True((int)response.StatusCode == expected, $"{method} {path}: {response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(expected, problem.GetProperty("status").GetInt32());
    }

    [Fact]
    public async Task A_huge_body_is_refused_with_413_before_it_is_read()
    {
        using var client = platform.Storefront(await platform.ApiKeyAsync(StorefrontAgents.DemoStore, StorefrontAgents.AllScopes));
        var huge = JsonSerializer.Serialize(new { title = "Huge", description = new string('x', 200_000) });

        using var response = await client.PostAsync(M + "/products", new StringContent(huge, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task A_refused_state_change_leaves_the_order_as_it_was()
    {
        using var client = platform.Storefront(await platform.ApiKeyAsync(StorefrontAgents.DemoStore, StorefrontAgents.AllScopes));
        var driver = new StoreDriver(client);
        var id = await driver.CreatePendingOrderAsync();

        await driver.SendAsync(HttpMethod.Post, $"/orders/{id}/fulfill", new { carrier = "DHL" }, HttpStatusCode.Conflict);
        await driver.SendAsync(HttpMethod.Post, $"/orders/{id}/refund", new { reason = "x" }, HttpStatusCode.Conflict);

        var order = await driver.GetJsonAsync($"/orders/{id}");
        Assert.Equal("pending", order.GetProperty("state").GetString());
        Assert.Empty(order.GetProperty("fulfillments").EnumerateArray());
    }

    [Fact]
    public async Task An_order_moves_through_its_states_and_partial_refunds_add_up()
    {
        using var client = platform.Storefront(await platform.ApiKeyAsync(StorefrontAgents.DemoStore, StorefrontAgents.AllScopes));
        var driver = new StoreDriver(client);
        var id = await driver.CreatePaidOrderAsync();
        var total = (await driver.GetJsonAsync($"/orders/{id}")).GetProperty("total").GetDecimal();

        await driver.SendAsync(HttpMethod.Post, $"/orders/{id}/fulfill", new { carrier = "DHL", trackingNumber = "JD1" });
        var partial = await driver.SendAsync(HttpMethod.Post, $"/orders/{id}/refund", new { amount = 1.00m, reason = "Scratched" });
        Assert.Equal("fulfilled", partial.GetProperty("state").GetString());
        await driver.SendAsync(HttpMethod.Post, $"/orders/{id}/refund", new { amount = total, reason = "Too much" }, HttpStatusCode.BadRequest);
        var rest = await driver.SendAsync(HttpMethod.Post, $"/orders/{id}/refund", new { reason = "Returned" });

        Assert.Equal("refunded", rest.GetProperty("state").GetString());
        Assert.Equal(total, rest.GetProperty("refundedAmount").GetDecimal());
        Assert.Equal(2, rest.GetProperty("refunds").GetArrayLength());
        var filtered = await driver.GetJsonAsync("/orders?state=refunded&pageSize=100");
        Assert.Contains(filtered.GetProperty("items").EnumerateArray(), o => o.GetProperty("id").GetGuid() == id);
    }
}
