using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AlyAspire.Shared.Scopes;
using AlyAspire.Tests.Infrastructure;

namespace AlyAspire.Tests.StorefrontApi.Ucp;

/// <summary>
/// UCP on the Aspire test host: the business profile, catalog search/lookup, a checkout completed into a real order,
/// idempotency keys, and the bearer gate's answers, each checked against the spec's shapes.
/// </summary>
[Collection(PlatformCollection.Name)]
public sealed class UcpTests(PlatformFixture platform)
{
    private const string Base = "/api/storefront/v1/ucp";
    private const string PlatformProfile = "https://agent.example/.well-known/ucp";
    private const string ApprovedToken = "tok_aly_test_approved";

    private static readonly string[] ShopperScopes = [ScopeCatalogue.ReadContent, ScopeCatalogue.ReadOrders, ScopeCatalogue.WriteOrders];

    public static TheoryData<CredentialKindUnderTest> Kinds => new() { CredentialKindUnderTest.ApiKey, CredentialKindUnderTest.OAuth };

    [Fact]
    public async Task The_business_profile_advertises_the_shopping_service_over_REST_and_the_capabilities_served()
    {
        using var anonymous = platform.Storefront();
        using var response = await anonymous.GetAsync("/.well-known/ucp");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var profile = await response.Content.ReadFromJsonAsync<JsonElement>();
        UcpSchemas.AssertValid("business_profile", profile);

        var ucp = profile.GetProperty("ucp");
        Assert.Equal("2026-04-08", ucp.GetProperty("version").GetString());
        var rest = Assert.Single(ucp.GetProperty("services").GetProperty("dev.ucp.shopping").EnumerateArray(), s => s.GetProperty("transport").GetString() == "rest");
        Assert.Equal(platform.Endpoint("storefrontapi").ToString().TrimEnd('/') + Base, rest.GetProperty("endpoint").GetString());
        Assert.Equal(
            ["dev.ucp.shopping.catalog.lookup", "dev.ucp.shopping.catalog.search", "dev.ucp.shopping.checkout", "dev.ucp.shopping.order"],
            ucp.GetProperty("capabilities").EnumerateObject().Select(c => c.Name).Order(StringComparer.Ordinal));
        var handler = Assert.Single(ucp.GetProperty("payment_handlers").GetProperty("dev.alyaspire.test_payments").EnumerateArray());
        Assert.Equal("aly_test_payments", handler.GetProperty("id").GetString());
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task Catalog_search_and_lookup_answer_from_the_workspace_products(CredentialKindUnderTest kind)
    {
        using var agent = await AgentAsync(kind, [ScopeCatalogue.ReadContent]);

        var search = await PostAsync(agent, "/catalog/search", new { query = "", pagination = new { limit = 3 } });
        UcpSchemas.AssertValid("search_response", search);
        var products = search.GetProperty("products").EnumerateArray().ToArray();
        Assert.Equal(3, products.Length);
        Assert.True(search.GetProperty("pagination").GetProperty("has_next_page").GetBoolean());

        var next = await PostAsync(agent, "/catalog/search", new { pagination = new { limit = 3, cursor = search.GetProperty("pagination").GetProperty("cursor").GetString() } });
        UcpSchemas.AssertValid("search_response", next);
        Assert.Empty(next.GetProperty("products").EnumerateArray().Select(p => p.GetProperty("id").GetString()).Intersect(products.Select(p => p.GetProperty("id").GetString())));

        var ids = products.Select(p => p.GetProperty("id").GetString()!).Append(Guid.NewGuid().ToString()).ToArray();
        var lookup = await PostAsync(agent, "/catalog/lookup", new { ids });
        UcpSchemas.AssertValid("lookup_response", lookup);
        Assert.Equal(ids[..3].Order(), lookup.GetProperty("products").EnumerateArray().Select(p => p.GetProperty("id").GetString()).Order());
        Assert.Contains(lookup.GetProperty("messages").EnumerateArray(), m => m.GetProperty("content").GetString()!.Contains(ids[3], StringComparison.Ordinal));

        // The same catalog as the merchant API's active products.
        using var admin = platform.Storefront(await platform.ApiKeyAsync(StorefrontAgents.DemoStore, StorefrontAgents.AllScopes));
        var merchant = await admin.GetFromJsonAsync<JsonElement>($"{StorefrontAgents.MerchantPath}/products?status=active&pageSize=100");
        Assert.Equal(merchant.GetProperty("total").GetInt32(), search.GetProperty("pagination").GetProperty("total_count").GetInt32());
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task A_checkout_completed_over_UCP_is_a_paid_order_in_the_store(CredentialKindUnderTest kind)
    {
        using var agent = await AgentAsync(kind, ShopperScopes);
        var (first, second) = await TwoProductsAsync(agent);

        // Created without a buyer: priced from the catalog, incomplete, saying what is missing.
        using var createResponse = await SendAsync(agent, HttpMethod.Post, "/checkout-sessions", new
        {
            line_items = new object[] { new { item = new { id = first.Id }, quantity = 2 }, new { item = new { id = second.Id }, quantity = 1 } },
        });
        Assert.Equal(HttpStatusCode.Created, createResponse.StatusCode);
        var created = await createResponse.Content.ReadFromJsonAsync<JsonElement>();
        UcpSchemas.AssertValid("checkout", created);
        Assert.Equal("incomplete", created.GetProperty("status").GetString());
        var expectedTotal = first.Price * 2 + second.Price;
        Assert.Equal(expectedTotal, Total(created, "total"));
        Assert.Contains(created.GetProperty("messages").EnumerateArray(), m => m.GetProperty("path").GetString() == "$.buyer.email");
        var id = created.GetProperty("id").GetString();

        var buyer = $"ucp-{Guid.NewGuid():N}@shopper.example";
        var updated = await ReadAsync(await SendAsync(agent, HttpMethod.Put, $"/checkout-sessions/{id}", new
        {
            line_items = new object[] { new { item = new { id = first.Id }, quantity = 2 }, new { item = new { id = second.Id }, quantity = 1 } },
            buyer = new { email = buyer, first_name = "Ada" },
        }), HttpStatusCode.OK);
        UcpSchemas.AssertValid("checkout", updated);
        Assert.Equal("ready_for_complete", updated.GetProperty("status").GetString());

        var fetched = await ReadAsync(await SendAsync(agent, HttpMethod.Get, $"/checkout-sessions/{id}", null), HttpStatusCode.OK);
        Assert.Equal("ready_for_complete", fetched.GetProperty("status").GetString());

        var completeKey = Guid.NewGuid().ToString();
        var payment = Payment(ApprovedToken);
        var completed = await ReadAsync(await SendAsync(agent, HttpMethod.Post, $"/checkout-sessions/{id}/complete", payment, completeKey), HttpStatusCode.OK);
        UcpSchemas.AssertValid("checkout", completed);
        Assert.Equal("completed", completed.GetProperty("status").GetString());
        var orderId = completed.GetProperty("order").GetProperty("id").GetString();

        // A retry with the same key is the same answer, not a second order; the key with another body is refused.
        var replay = await ReadAsync(await SendAsync(agent, HttpMethod.Post, $"/checkout-sessions/{id}/complete", payment, completeKey), HttpStatusCode.OK);
        Assert.Equal(completed.GetRawText(), replay.GetRawText());
        using var reused = await SendAsync(agent, HttpMethod.Post, $"/checkout-sessions/{id}/complete", Payment("tok_other"), completeKey);
        Assert.Equal(HttpStatusCode.Conflict, reused.StatusCode);

        // The order is real: the merchant API and UCP's order both show it, paid, at the checkout's total.
        using var admin = platform.Storefront(await platform.ApiKeyAsync(StorefrontAgents.DemoStore, StorefrontAgents.AllScopes));
        var orders = await admin.GetFromJsonAsync<JsonElement>($"{StorefrontAgents.MerchantPath}/orders?state=paid&pageSize=100");
        var listed = Assert.Single(orders.GetProperty("items").EnumerateArray(), o => o.GetProperty("id").GetString() == orderId);
        Assert.Equal(buyer, listed.GetProperty("email").GetString());
        Assert.Equal(expectedTotal, (long)(listed.GetProperty("total").GetDecimal() * 100));

        var order = await ReadAsync(await SendAsync(agent, HttpMethod.Get, $"/orders/{orderId}", null), HttpStatusCode.OK);
        UcpSchemas.AssertValid("order", order);
        Assert.Equal(id, order.GetProperty("checkout_id").GetString());
        Assert.Equal(expectedTotal, Total(order, "total"));

        // A completed session cannot change any more.
        using var late = await SendAsync(agent, HttpMethod.Post, $"/checkout-sessions/{id}/cancel", null);
        Assert.Equal(HttpStatusCode.Conflict, late.StatusCode);
    }

    [Fact]
    public async Task A_declined_test_token_leaves_the_checkout_ready_and_places_no_order()
    {
        using var agent = await AgentAsync(CredentialKindUnderTest.ApiKey, ShopperScopes);
        var (first, _) = await TwoProductsAsync(agent);
        var created = await ReadAsync(await SendAsync(agent, HttpMethod.Post, "/checkout-sessions", new
        {
            line_items = new object[] { new { item = new { id = first.Id }, quantity = 1 } },
            buyer = new { email = "declined@shopper.example" },
        }), HttpStatusCode.Created);
        Assert.Equal("ready_for_complete", created.GetProperty("status").GetString());
        var id = created.GetProperty("id").GetString();

        var declined = await ReadAsync(await SendAsync(agent, HttpMethod.Post, $"/checkout-sessions/{id}/complete", Payment("tok_aly_test_declined")), HttpStatusCode.OK);
        UcpSchemas.AssertValid("checkout", declined);
        Assert.Equal("ready_for_complete", declined.GetProperty("status").GetString());
        Assert.Contains(declined.GetProperty("messages").EnumerateArray(), m => m.GetProperty("code").GetString() == "payment_declined");
        Assert.False(declined.TryGetProperty("order", out _));

        var canceled = await ReadAsync(await SendAsync(agent, HttpMethod.Post, $"/checkout-sessions/{id}/cancel", null), HttpStatusCode.OK);
        Assert.Equal("canceled", canceled.GetProperty("status").GetString());
    }

    [Fact]
    public async Task An_item_not_for_sale_is_UCPs_error_response_and_bad_requests_are_protocol_errors()
    {
        using var agent = await AgentAsync(CredentialKindUnderTest.ApiKey, ShopperScopes);

        var unavailable = await ReadAsync(await SendAsync(agent, HttpMethod.Post, "/checkout-sessions", new
        {
            line_items = new object[] { new { item = new { id = Guid.NewGuid().ToString() }, quantity = 1 } },
        }), HttpStatusCode.OK);
        UcpSchemas.AssertValid("error_response", unavailable);
        Assert.Equal("item_unavailable", unavailable.GetProperty("messages")[0].GetProperty("code").GetString());

        using var noKey = await SendAsync(agent, HttpMethod.Post, "/checkout-sessions", new { line_items = Array.Empty<object>() }, idempotencyKey: "");
        Assert.Equal(HttpStatusCode.BadRequest, noKey.StatusCode);

        using var noLines = await SendAsync(agent, HttpMethod.Post, "/checkout-sessions", new { line_items = Array.Empty<object>() });
        Assert.Equal(HttpStatusCode.BadRequest, noLines.StatusCode);
        Assert.Equal("invalid_request", (await noLines.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());

        using var request = new HttpRequestMessage(HttpMethod.Post, Base + "/catalog/search") { Content = JsonContent.Create(new { query = "mug" }) };
        using var noProfile = await agent.SendAsync(request);
        Assert.Equal(HttpStatusCode.BadRequest, noProfile.StatusCode);
        Assert.Equal("invalid_profile_url", (await noProfile.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());

        using var unknown = await SendAsync(agent, HttpMethod.Get, $"/checkout-sessions/{Guid.NewGuid()}", null);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task The_gate_answers_UCP_as_every_surface_401_403_insufficient_scope_and_no_session_tokens(CredentialKindUnderTest kind)
    {
        using var anonymous = platform.Storefront();
        using var noCredential = await SendAsync(anonymous, HttpMethod.Post, "/catalog/search", new { query = "" });
        Assert.Equal(HttpStatusCode.Unauthorized, noCredential.StatusCode);
        Assert.Contains("resource_metadata=\"", noCredential.Headers.WwwAuthenticate.ToString());

        using var withoutContent = await AgentAsync(kind, [ScopeCatalogue.ReadOrders]);
        using var forbidden = await SendAsync(withoutContent, HttpMethod.Post, "/catalog/search", new { query = "" });
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        var challenge = forbidden.Headers.WwwAuthenticate.ToString();
        Assert.Contains("error=\"insufficient_scope\"", challenge);
        Assert.Contains($"scope=\"{ScopeCatalogue.ReadContent}\"", challenge);

        using var cannotOrder = await AgentAsync(kind, [ScopeCatalogue.ReadContent]);
        using var noWrite = await SendAsync(cannotOrder, HttpMethod.Post, "/checkout-sessions", new { line_items = Array.Empty<object>() });
        Assert.Equal(HttpStatusCode.Forbidden, noWrite.StatusCode);
        Assert.Contains($"scope=\"{ScopeCatalogue.WriteOrders}\"", noWrite.Headers.WwwAuthenticate.ToString());

        using var session = platform.Storefront("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxIn0.c2ln");
        using var refused = await SendAsync(session, HttpMethod.Post, "/catalog/search", new { query = "" });
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Contains("error=\"invalid_token\"", refused.Headers.WwwAuthenticate.ToString());
    }

    private sealed record CatalogProduct(string Id, long Price);

    private static async Task<(CatalogProduct First, CatalogProduct Second)> TwoProductsAsync(HttpClient agent)
    {
        var search = await PostAsync(agent, "/catalog/search", new { pagination = new { limit = 10 } });
        var inStock = search.GetProperty("products").EnumerateArray()
            .Select(p => p.GetProperty("variants")[0])
            .Where(v => v.GetProperty("availability").GetProperty("available").GetBoolean())
            .Select(v => new CatalogProduct(v.GetProperty("id").GetString()!, v.GetProperty("price").GetProperty("amount").GetInt64()))
            .ToArray();
        Assert.True(inStock.Length >= 2, "The demo catalog has fewer than two products in stock.");
        return (inStock[0], inStock[1]);
    }

    private static object Payment(string token) => new
    {
        payment = new
        {
            instruments = new[]
            {
                new { id = "pi_1", handler_id = "aly_test_payments", type = "card", selected = true, credential = new { type = "token", token } },
            },
        },
    };

    private static long Total(JsonElement resource, string type) =>
        resource.GetProperty("totals").EnumerateArray().Single(t => t.GetProperty("type").GetString() == type).GetProperty("amount").GetInt64();

    private async Task<HttpClient> AgentAsync(CredentialKindUnderTest kind, IReadOnlyList<string> scopes) =>
        platform.Storefront(await platform.BearerAsync(kind, scopes));

    private static async Task<JsonElement> PostAsync(HttpClient agent, string path, object body) =>
        await ReadAsync(await SendAsync(agent, HttpMethod.Post, path, body), HttpStatusCode.OK);

    private static async Task<HttpResponseMessage> SendAsync(HttpClient agent, HttpMethod method, string path, object? body, string? idempotencyKey = null)
    {
        using var request = new HttpRequestMessage(method, Base + path) { Content = body is null ? null : JsonContent.Create(body) };
        request.Headers.Add("UCP-Agent", $"profile=\"{PlatformProfile}\"");
        if (method != HttpMethod.Get && !path.StartsWith("/catalog", StringComparison.Ordinal) && idempotencyKey != "")
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey ?? Guid.NewGuid().ToString());
        }

        return await agent.SendAsync(request);
    }

    private static async Task<JsonElement> ReadAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        using (response)
        {
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == expected, $"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri}: {(int)response.StatusCode} {text}");
            return JsonDocument.Parse(text).RootElement.Clone();
        }
    }
}
