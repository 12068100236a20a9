using System.Net;
using System.Net.Http.Headers;
using AlyAspire.Tests.Infrastructure;

namespace AlyAspire.Tests.EndToEnd;

/// <summary>What an agent does with a credential in these tests: read the orders.</summary>
internal static class AgentCalls
{
    public static async Task<HttpStatusCode> GetOrdersAsync(PlatformFixture platform, string bearer)
    {
        using var storefront = platform.CreateClient("storefrontapi");
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/storefront/v1/merchant/orders");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        using var response = await storefront.SendAsync(request);
        return response.StatusCode;
    }
}
