using System.Net;
using System.Net.Http.Json;
using AlyAspire.Shared.Scopes;
using AlyAspire.Tests.Infrastructure;

namespace AlyAspire.Tests.StorefrontApi;

/// <summary>
/// Every scope × each of its endpoints × both credential kinds: a credential holding only that scope is let through
/// (and the operation succeeds), a credential holding every other scope is refused with 403 insufficient_scope.
/// </summary>
[Collection(PlatformCollection.Name)]
public sealed class ScopeMatrixTests(PlatformFixture platform)
{
    private static readonly HttpMethod Get = HttpMethod.Get, Post = HttpMethod.Post, Patch = HttpMethod.Patch, Put = HttpMethod.Put, Delete = HttpMethod.Delete;

    /// <param name="Path">Builds the path (under the merchant base), preparing any record the operation needs.</param>
    public sealed record ScopeCase(string Scope, HttpMethod Method, Func<StoreDriver, Task<string>> Path, Func<object>? Body, HttpStatusCode Expected);

    private static Func<StoreDriver, Task<string>> Fixed(string path) => _ => Task.FromResult(path);

    public static readonly IReadOnlyDictionary<string, ScopeCase> Cases = new Dictionary<string, ScopeCase>
    {
        ["list orders"] = new(ScopeCatalogue.ReadOrders, Get, Fixed("/orders?state=paid&page=1&pageSize=5"), null, HttpStatusCode.OK),
        ["get order"] = new(ScopeCatalogue.ReadOrders, Get, async d => $"/orders/{await d.FirstIdAsync("/orders")}", null, HttpStatusCode.OK),
        ["create order"] = new(ScopeCatalogue.WriteOrders, Post, Fixed("/orders"), null, HttpStatusCode.Created),
        ["mark order paid"] = new(ScopeCatalogue.WriteOrders, Post, async d => $"/orders/{await d.CreatePendingOrderAsync()}/mark-paid", null, HttpStatusCode.OK),
        ["fulfill order"] = new(ScopeCatalogue.WriteOrders, Post, async d => $"/orders/{await d.CreatePaidOrderAsync()}/fulfill",
            () => new { carrier = "DHL", trackingNumber = "JD0001" }, HttpStatusCode.OK),
        ["refund order"] = new(ScopeCatalogue.WriteOrders, Post, async d => $"/orders/{await d.CreatePaidOrderAsync()}/refund",
            () => new { reason = "Damaged in transit" }, HttpStatusCode.OK),
        ["cancel order"] = new(ScopeCatalogue.WriteOrders, Post, async d => $"/orders/{await d.CreatePendingOrderAsync()}/cancel", null, HttpStatusCode.OK),
        ["list products"] = new(ScopeCatalogue.ReadContent, Get, Fixed("/products?status=active"), null, HttpStatusCode.OK),
        ["get product"] = new(ScopeCatalogue.ReadContent, Get, async d => $"/products/{await d.FirstIdAsync("/products")}", null, HttpStatusCode.OK),
        ["list collections"] = new(ScopeCatalogue.ReadContent, Get, Fixed("/collections"), null, HttpStatusCode.OK),
        ["list pages"] = new(ScopeCatalogue.ReadContent, Get, Fixed("/pages"), null, HttpStatusCode.OK),
        ["create product"] = new(ScopeCatalogue.WriteContent, Post, Fixed("/products"),
            () => new { title = "Tote " + StoreDriver.Unique(), price = 12.5m, inventory = 3, status = "draft" }, HttpStatusCode.Created),
        ["update product"] = new(ScopeCatalogue.WriteContent, Patch, async d => $"/products/{await d.FirstIdAsync("/products")}",
            () => new { inventory = 42 }, HttpStatusCode.OK),
        ["create collection"] = new(ScopeCatalogue.WriteContent, Post, Fixed("/collections"), () => new { title = "Sale " + StoreDriver.Unique() }, HttpStatusCode.Created),
        ["list customers"] = new(ScopeCatalogue.ReadCustomers, Get, Fixed("/customers?query=example"), null, HttpStatusCode.OK),
        ["get customer"] = new(ScopeCatalogue.ReadCustomers, Get, async d => $"/customers/{await d.FirstIdAsync("/customers")}", null, HttpStatusCode.OK),
        ["list customer groups"] = new(ScopeCatalogue.ReadCustomers, Get, Fixed("/customer-groups"), null, HttpStatusCode.OK),
        ["update customer"] = new(ScopeCatalogue.WriteCustomers, Patch, async d => $"/customers/{await d.FirstIdAsync("/customers")}",
            () => new { note = "Prefers morning delivery" }, HttpStatusCode.OK),
        ["create customer group"] = new(ScopeCatalogue.WriteCustomers, Post, Fixed("/customer-groups"), () => new { name = "Group " + StoreDriver.Unique() }, HttpStatusCode.Created),
        ["list sites"] = new(ScopeCatalogue.ReadSites, Get, Fixed("/sites"), null, HttpStatusCode.OK),
        ["get site"] = new(ScopeCatalogue.ReadSites, Get, async d => $"/sites/{await d.FirstIdAsync("/sites", items: false)}", null, HttpStatusCode.OK),
        ["create site"] = new(ScopeCatalogue.WriteSites, Post, Fixed("/sites"), () => new { name = "Shop " + StoreDriver.Unique() }, HttpStatusCode.Created),
        ["update site settings"] = new(ScopeCatalogue.WriteSites, Patch, async d => $"/sites/{await d.CreateSiteAsync()}/settings",
            () => new { theme = "bold", seoTitle = "Bold" }, HttpStatusCode.OK),
        ["publish site"] = new(ScopeCatalogue.WriteSites, Post, async d => $"/sites/{await d.CreateSiteAsync()}/publish", null, HttpStatusCode.OK),
        ["unpublish site"] = new(ScopeCatalogue.WriteSites, Post, async d => $"/sites/{await d.CreateSiteAsync()}/unpublish", null, HttpStatusCode.OK),
        ["delete site"] = new(ScopeCatalogue.DeleteSites, Delete, async d => $"/sites/{await d.CreateSiteAsync()}", null, HttpStatusCode.NoContent),
        ["list domains"] = new(ScopeCatalogue.ManageDomains, Get, Fixed("/domains"), null, HttpStatusCode.OK),
        ["attach domain"] = new(ScopeCatalogue.ManageDomains, Post, Fixed("/domains"), null, HttpStatusCode.Created),
        ["detach domain"] = new(ScopeCatalogue.ManageDomains, Delete, async d => $"/domains/{await d.AttachDomainAsync()}", null, HttpStatusCode.NoContent),
        ["get voice agent"] = new(ScopeCatalogue.ManageVoice, Get, Fixed("/voice-agent"), null, HttpStatusCode.OK),
        ["configure voice agent"] = new(ScopeCatalogue.ManageVoice, Put, Fixed("/voice-agent"), () => new { enabled = true, greeting = "Hi there!" }, HttpStatusCode.OK),
        ["list media"] = new(ScopeCatalogue.ReadMedia, Get, Fixed("/media"), null, HttpStatusCode.OK),
        ["get media"] = new(ScopeCatalogue.ReadMedia, Get, async d => $"/media/{await d.FirstIdAsync("/media", items: false)}", null, HttpStatusCode.OK),
        ["register media"] = new(ScopeCatalogue.WriteMedia, Post, Fixed("/media"),
            () => new { fileName = "look-book.pdf", contentType = "application/pdf", sizeBytes = 20480 }, HttpStatusCode.Created),
        ["delete media"] = new(ScopeCatalogue.WriteMedia, Delete, async d => $"/media/{await d.RegisterMediaAsync()}", null, HttpStatusCode.NoContent),
        ["analytics summary"] = new(ScopeCatalogue.ReadAnalytics, Get, Fixed("/analytics/summary?days=30"), null, HttpStatusCode.OK),
        ["usage by credential and day"] = new(ScopeCatalogue.ReadAnalytics, Get, Fixed("/usage?days=7"), null, HttpStatusCode.OK),
        ["activity feed"] = new(ScopeCatalogue.ReadAnalytics, Get, Fixed("/activity?limit=10"), null, HttpStatusCode.OK),
        ["get workspace settings"] = new(ScopeCatalogue.ManageWorkspace, Get, Fixed("/workspace/settings"), null, HttpStatusCode.OK),
        ["update workspace settings"] = new(ScopeCatalogue.ManageWorkspace, Patch, Fixed("/workspace/settings"), () => new { timezone = "Europe/Berlin" }, HttpStatusCode.OK),
        ["list team"] = new(ScopeCatalogue.ManageTeam, Get, Fixed("/team"), null, HttpStatusCode.OK),
        ["invite teammate"] = new(ScopeCatalogue.ManageTeam, Post, Fixed("/team/invitations"),
            () => new { email = $"{StoreDriver.Unique()}@demo.store", role = "admin" }, HttpStatusCode.Created),
        ["remove teammate"] = new(ScopeCatalogue.ManageTeam, Delete, async d => $"/team/{await d.InviteAsync()}", null, HttpStatusCode.NoContent),
        ["list api keys"] = new(ScopeCatalogue.ManageApiKeys, Get, Fixed("/api-keys"), null, HttpStatusCode.OK),
        // A credential can only hand out scopes it holds itself: this one holds manage:api_keys.
        ["create api key"] = new(ScopeCatalogue.ManageApiKeys, Post, Fixed("/api-keys"),
            () => new { name = "agent key " + StoreDriver.Unique(), scopes = new[] { ScopeCatalogue.ManageApiKeys } }, HttpStatusCode.OK),
        ["revoke api key"] = new(ScopeCatalogue.ManageApiKeys, Post, async d => $"/api-keys/{await d.CreateApiKeyAsync()}/revoke", null, HttpStatusCode.OK),
    };

    public static TheoryData<string, CredentialKindUnderTest> All()
    {
        var data = new TheoryData<string, CredentialKindUnderTest>();
        foreach (var name in Cases.Keys)
        {
            data.Add(name, CredentialKindUnderTest.ApiKey);
            data.Add(name, CredentialKindUnderTest.OAuth);
        }

        return data;
    }

    [Fact]
    public void Every_scope_of_the_catalogue_has_at_least_one_endpoint_in_the_table() =>
        Assert.Empty(ScopeCatalogue.Names.Except(Cases.Values.Select(c => c.Scope)));

    [Theory]
    [MemberData(nameof(All))]
    public async Task A_credential_with_only_the_scope_is_allowed(string operation, CredentialKindUnderTest kind)
    {
        var @case = Cases[operation];
        var (path, body) = await PrepareAsync(@case, kind);
        using var client = platform.Storefront(await platform.BearerAsync(kind, [@case.Scope]));

        using var response = await SendAsync(client, @case.Method, path, body);

        Assert.True(response.StatusCode == @case.Expected,
            $"{@case.Method} {path} with {kind} [{@case.Scope}]: {response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    [Theory]
    [MemberData(nameof(All))]
    public async Task A_credential_without_the_scope_is_refused_with_insufficient_scope(string operation, CredentialKindUnderTest kind)
    {
        var @case = Cases[operation];
        var (path, body) = await PrepareAsync(@case, kind);
        using var client = platform.Storefront(await platform.BearerAsync(kind, StorefrontAgents.AllBut(@case.Scope)));

        using var response = await SendAsync(client, @case.Method, path, body);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        var challenge = response.Headers.WwwAuthenticate.ToString();
        Assert.Contains("error=\"insufficient_scope\"", challenge);
        Assert.Contains($"scope=\"{@case.Scope}\"", challenge);
        Assert.Contains("resource_metadata=\"", challenge);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    private async Task<(string Path, object? Body)> PrepareAsync(ScopeCase @case, CredentialKindUnderTest kind)
    {
        using var admin = platform.Storefront(await platform.BearerAsync(kind, StorefrontAgents.AllScopes));
        var driver = new StoreDriver(admin);
        var path = await @case.Path(driver);
        var body = @case.Body?.Invoke() ?? await DefaultBodyAsync(@case, driver, path);
        return (StorefrontAgents.MerchantPath + path, body);
    }

    /// <summary>Bodies that depend on the workspace's own records.</summary>
    private static async Task<object?> DefaultBodyAsync(ScopeCase @case, StoreDriver driver, string path) => path switch
    {
        "/orders" when @case.Method == Post => new
        {
            email = $"phone-order-{StoreDriver.Unique()}@example.com",
            lines = new[] { new { productId = await driver.FirstIdAsync("/products?status=active"), quantity = 1 } },
        },
        "/domains" => new { siteId = await driver.FirstIdAsync("/sites", items: false), hostName = $"{StoreDriver.Unique()}.example.net" },
        _ => null,
    };

    private static Task<HttpResponseMessage> SendAsync(HttpClient client, HttpMethod method, string path, object? body) =>
        client.SendAsync(new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) });
}
