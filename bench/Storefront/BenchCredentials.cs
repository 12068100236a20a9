using System.Net;
using System.Net.Http.Json;
using AlyAspire.AppHost.Hosting;
using AlyAspire.Bench.Support;
using AlyAspire.Shared.ApiKeys;
using AlyAspire.Shared.Development;
using AlyAspire.Shared.Internal;
using AlyAspire.Shared.Scopes;

namespace AlyAspire.Bench.Storefront;

/// <summary>A real API key (KeyService internal API) and a real OAuth access token (AuthServer sign-in, consent, PKCE).</summary>
internal static class BenchCredentials
{
    /// <summary>A per-workspace override (RateLimiter internal API) far above what the benchmark sends.</summary>
    public static async Task RaiseWorkspaceLimitsAsync(BenchPlatform stack)
    {
        using var http = new HttpClient { BaseAddress = stack.Endpoint("ratelimiter") };
        http.DefaultRequestHeaders.Add(InternalServiceAuthentication.HeaderName, await stack.SecretAsync(ServiceCredentialExtensions.Name("storefrontapi", "ratelimiter")));
        var generous = new { requestsPerWindow = 1_000_000, windowSeconds = 60, burst = 100_000 };
        BrowserSession.Expect(await http.PutAsJsonAsync($"/internal/workspaces/{DemoWorkspace.Id}/limits", new { workspace = generous, perCredential = generous }),
            HttpStatusCode.OK, "limit override");
    }

    public static async Task<string> ApiKeyAsync(BenchPlatform stack)
    {
        using var http = new HttpClient { BaseAddress = stack.Endpoint("keyservice") };
        http.DefaultRequestHeaders.Add(InternalServiceAuthentication.HeaderName, await stack.SecretAsync(ServiceCredentialExtensions.Name("authserver", "keyservice")));
        var created = await new ApiKeyClient(http).CreateAsync(DemoWorkspace.Id, new CreateApiKeyRequest("benchmark", [ScopeCatalogue.ReadOrders], null),
            ApiKeyActor.Person(new ActorAssertions(
                Microsoft.Extensions.Options.Options.Create(new ActorAssertionOptions { SigningKey = await stack.SecretAsync("actor-assertion-key") }),
                TimeProvider.System).Issue(Guid.NewGuid(), DemoWorkspace.Id, WorkspaceRoles.Owner, null)));
        return created.Secret;
    }

    public static async Task<string> OAuthTokenAsync(BenchPlatform stack)
    {
        using var browser = new BrowserSession(stack.Endpoint("authserver"));
        await browser.SignInAsync(DemoWorkspace.DefaultOwnerEmail, DemoWorkspace.DefaultOwnerPassword);
        var clientId = await browser.RegisterPublicClientAsync("Storefront benchmark", ["authorization_code"], ScopeCatalogue.ReadOrders);
        // The audience is the store's public address, the one the platform names it by.
        var resource = stack.PublicEndpoint("storefrontapi").ToString().TrimEnd('/') + "/api/storefront/v1";
        return (await browser.CodeFlowAsync(clientId, ScopeCatalogue.ReadOrders, resource, "bench")).GetProperty("access_token").GetString()!;
    }
}
