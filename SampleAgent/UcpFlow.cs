using AlyAspire.Shared.Routes;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using AlyAspire.Shared.Credentials;

namespace AlyAspire.SampleAgent;

/// <summary>
/// A shopping platform on UCP (Universal Commerce Protocol) with an API key holding read:content, read:orders and
/// write:orders: reads the business profile, searches the catalog, opens a checkout, completes it with the development
/// payment handler's test token (and retries the completion to show it is idempotent), and reads the order it became.
/// </summary>
internal sealed class UcpFlow(AgentSettings settings, StepReport report)
{
    private const string SupportedVersion = "2026-04-08";

    public async Task RunAsync(CancellationToken ct)
    {
        var key = settings.ApiKey;
        if (string.IsNullOrWhiteSpace(key))
        {
            throw new AgentStepFailedException("no API key: pass --key aly_… or set ALY_API_KEY (a key with read:content, read:orders and write:orders)");
        }

        report.Info($"using API key {CredentialFormats.DisplayForm(key)}  as platform {settings.PlatformProfile}");
        using var http = new HttpClient { BaseAddress = settings.StorefrontApi, Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        // UCP identifies the platform by its profile URL on every request (an RFC 8941 dictionary).
        http.DefaultRequestHeaders.Add("UCP-Agent", $"profile=\"{settings.PlatformProfile}\"");

        // 1. The business profile: the REST endpoint of the shopping service and its payment handler.
        using var profileResponse = await report.SendAsync("GET /.well-known/ucp", http, new HttpRequestMessage(HttpMethod.Get, AgentRoutes.UcpProfile), HttpStatusCode.OK, ct);
        var ucp = (await profileResponse.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("ucp");
        if (ucp.GetProperty("version").GetString() != SupportedVersion)
        {
            throw new AgentStepFailedException($"the business speaks UCP {ucp.GetProperty("version")}, this agent {SupportedVersion}");
        }

        var endpoint = ucp.GetProperty("services").GetProperty("dev.ucp.shopping").EnumerateArray()
            .FirstOrDefault(s => s.GetProperty("transport").GetString() == "rest").GetProperty("endpoint").GetString()
            ?? throw new AgentStepFailedException("the profile has no REST endpoint for dev.ucp.shopping");
        var capabilities = ucp.GetProperty("capabilities").EnumerateObject().Select(c => c.Name).ToArray();
        foreach (var needed in (string[])["dev.ucp.shopping.catalog.search", "dev.ucp.shopping.checkout", "dev.ucp.shopping.order"])
        {
            if (!capabilities.Contains(needed))
            {
                throw new AgentStepFailedException($"the business does not offer {needed}");
            }
        }

        var handler = ucp.GetProperty("payment_handlers").EnumerateObject().First().Value[0];
        var handlerId = handler.GetProperty("id").GetString()!;
        var token = handler.GetProperty("config").GetProperty("approved_token").GetString()!;
        report.Info($"UCP {ucp.GetProperty("version")}  endpoint {endpoint}");
        report.Info($"capabilities: {string.Join(' ', capabilities)}");
        report.Info($"payment handler {handlerId} (development; test token {token})");

        // 2. Catalog search: products for sale, prices in minor units.
        var search = await PostAsync("POST /catalog/search", http, endpoint + "/catalog/search", new { query = "", pagination = new { limit = 5 } }, HttpStatusCode.OK, null, ct);
        var product = search.GetProperty("products").EnumerateArray()
            .FirstOrDefault(p => p.GetProperty("variants")[0].GetProperty("availability").GetProperty("available").GetBoolean());
        if (product.ValueKind != JsonValueKind.Object)
        {
            throw new AgentStepFailedException("the catalog has no product in stock");
        }

        var price = product.GetProperty("price_range").GetProperty("min");
        report.Info($"{search.GetProperty("pagination").GetProperty("total_count")} products; buying 2 × \"{product.GetProperty("title")}\" at {price.GetProperty("amount")} {price.GetProperty("currency")} (minor units)");

        // 3. A checkout session with two of it and a buyer: priced by the business, ready to complete.
        var checkout = await PostAsync("POST /checkout-sessions", http, endpoint + "/checkout-sessions", new
        {
            line_items = new[] { new { item = new { id = product.GetProperty("id").GetString() }, quantity = 2 } },
            buyer = new { email = "sample-agent@shopper.example", first_name = "Sam" },
        }, HttpStatusCode.Created, Guid.NewGuid().ToString(), ct);
        var checkoutId = checkout.GetProperty("id").GetString()!;
        report.Info($"checkout {checkoutId}  status {checkout.GetProperty("status")}  total {Total(checkout)} {checkout.GetProperty("currency")}");
        if (checkout.GetProperty("status").GetString() != "ready_for_complete")
        {
            throw new AgentStepFailedException($"the checkout is not ready to complete: {checkout}");
        }

        // 4. Complete it with the test token: the business places the order. A retry with the same Idempotency-Key
        //    (say, after a lost answer) gets the same answer, not a second order.
        var completeKey = Guid.NewGuid().ToString();
        var payment = new
        {
            payment = new { instruments = new[] { new { id = "pi_1", handler_id = handlerId, type = "card", selected = true, credential = new { type = "token", token } } } },
        };
        var completeUrl = $"{endpoint}/checkout-sessions/{checkoutId}/complete";
        var completed = await PostAsync("POST /checkout-sessions/{id}/complete", http, completeUrl, payment, HttpStatusCode.OK, completeKey, ct);
        if (completed.GetProperty("status").GetString() != "completed" || !completed.TryGetProperty("order", out var order))
        {
            throw new AgentStepFailedException($"the checkout did not complete: {completed}");
        }

        var orderId = order.GetProperty("id").GetString()!;
        report.Info($"status {completed.GetProperty("status")}  order {order.GetProperty("label")} {orderId}");
        var retried = await PostAsync("POST …/complete again, same Idempotency-Key", http, completeUrl, payment, HttpStatusCode.OK, completeKey, ct);
        if (retried.GetProperty("order").GetProperty("id").GetString() != orderId)
        {
            throw new AgentStepFailedException("the retried completion placed another order");
        }

        report.Info("the same order: no second order was placed");

        // 5. The order, from its permalink.
        using var orderResponse = await report.SendAsync("GET /orders/{id}", http,
            new HttpRequestMessage(HttpMethod.Get, order.GetProperty("permalink_url").GetString()), HttpStatusCode.OK, ct);
        var placed = await orderResponse.Content.ReadFromJsonAsync<JsonElement>(ct);
        if (placed.GetProperty("id").GetString() != orderId || placed.GetProperty("checkout_id").GetString() != checkoutId)
        {
            throw new AgentStepFailedException($"the order read back is not the one placed: {placed}");
        }

        report.Info($"order {placed.GetProperty("label")} {orderId}  checkout {checkoutId}  {placed.GetProperty("line_items").GetArrayLength()} line(s)  total {Total(placed)} {placed.GetProperty("currency")}");
        report.Done("the UCP path behaves as promised.");
    }

    private static long Total(JsonElement resource) =>
        resource.GetProperty("totals").EnumerateArray().First(t => t.GetProperty("type").GetString() == "total").GetProperty("amount").GetInt64();

    private async Task<JsonElement> PostAsync(string description, HttpClient http, string url, object body, HttpStatusCode expected, string? idempotencyKey, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = JsonContent.Create(body) };
        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }

        using var response = await report.SendAsync(description, http, request, expected, ct);
        return await response.Content.ReadFromJsonAsync<JsonElement>(ct);
    }
}
