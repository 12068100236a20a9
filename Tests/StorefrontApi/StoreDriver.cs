using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace AlyAspire.Tests.StorefrontApi;

/// <summary>
/// Prepares what an operation under test needs (a paid order, a fresh site, a media asset…) through the REST API
/// with an all-scope credential of the same workspace, so every case can run again and again.
/// </summary>
public sealed class StoreDriver(HttpClient admin)
{
    private const string M = StorefrontAgents.MerchantPath;

    public HttpClient Admin => admin;

    public Task<Guid> FirstIdAsync(string listPath) => FirstIdAsync(listPath, items: true);

    public async Task<Guid> FirstIdAsync(string listPath, bool items)
    {
        var list = await GetJsonAsync(listPath);
        var array = items ? list.GetProperty("items") : list;
        Assert.True(array.GetArrayLength() > 0, $"{listPath} is empty");
        return array[0].GetProperty("id").GetGuid();
    }

    public async Task<JsonElement> GetJsonAsync(string path)
    {
        using var response = await admin.GetAsync(M + path);
        Assert.True(response.IsSuccessStatusCode, $"GET {path}: {response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    public async Task<JsonElement> SendAsync(HttpMethod method, string path, object? body = null, HttpStatusCode expected = HttpStatusCode.OK)
    {
        using var request = new HttpRequestMessage(method, M + path) { Content = body is null ? null : JsonContent.Create(body) };
        using var response = await admin.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"{method} {path}: {response.StatusCode} {text}");
        return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
    }

    public async Task<Guid> CreatePendingOrderAsync()
    {
        var product = await FirstIdAsync("/products?status=active");
        var order = await SendAsync(HttpMethod.Post, "/orders",
            new { email = $"buyer-{Guid.NewGuid():N}@example.com", lines = new[] { new { productId = product, quantity = 2 } }, shipping = 4.90m },
            HttpStatusCode.Created);
        return order.GetProperty("id").GetGuid();
    }

    public async Task<Guid> CreatePaidOrderAsync()
    {
        var id = await CreatePendingOrderAsync();
        await SendAsync(HttpMethod.Post, $"/orders/{id}/mark-paid");
        return id;
    }

    public async Task<Guid> CreateSiteAsync()
    {
        var site = await SendAsync(HttpMethod.Post, "/sites", new { name = "Pop-up " + Unique() }, HttpStatusCode.Created);
        return site.GetProperty("id").GetGuid();
    }

    public async Task<Guid> AttachDomainAsync()
    {
        var site = await FirstIdAsync("/sites", items: false);
        var domain = await SendAsync(HttpMethod.Post, "/domains", new { siteId = site, hostName = $"{Unique()}.example.com" }, HttpStatusCode.Created);
        return domain.GetProperty("id").GetGuid();
    }

    public async Task<Guid> RegisterMediaAsync()
    {
        var media = await SendAsync(HttpMethod.Post, "/media", new { fileName = "banner.png", contentType = "image/png", sizeBytes = 1234 }, HttpStatusCode.Created);
        return media.GetProperty("id").GetGuid();
    }

    public async Task<Guid> InviteAsync()
    {
        var member = await SendAsync(HttpMethod.Post, "/team/invitations", new { email = $"{Unique()}@demo.store", role = "member" }, HttpStatusCode.Created);
        return member.GetProperty("id").GetGuid();
    }

    /// <summary>
    /// A key within the ceiling of a credential holding only <c>manage:api_keys</c>: a revoke is refused (403) for a
    /// key whose scopes the revoking actor does not hold itself.
    /// </summary>
    public async Task<Guid> CreateApiKeyAsync()
    {
        var key = await SendAsync(HttpMethod.Post, "/api-keys", new { name = "to revoke " + Unique(), scopes = new[] { "manage:api_keys" } });
        return key.GetProperty("key").GetProperty("id").GetGuid();
    }

    public static string Unique() => Guid.NewGuid().ToString("N")[..10];
}
