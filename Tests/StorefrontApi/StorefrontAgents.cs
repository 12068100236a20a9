using System.Collections.Concurrent;
using System.Net.Http.Headers;
using AlyAspire.Shared.Credentials;
using AlyAspire.Shared.Development;
using AlyAspire.Shared.Scopes;
using AlyAspire.Tests.Infrastructure;

namespace AlyAspire.Tests.StorefrontApi;

public enum CredentialKindUnderTest
{
    ApiKey,
    OAuth,
}

/// <summary>The storefront's two OAuth resources (RFC 8707): a token is issued for one of them and refused by the other.</summary>
public enum StorefrontResource
{
    Rest,
    Mcp,
}

/// <summary>
/// Real credentials for the storefront tests: API keys minted by the KeyService (through its internal API, with the
/// service credential) and OAuth access tokens issued by the AuthServer (the development owner's sign-in and consent
/// driven over HTTP).
/// Each distinct credential is minted once per test run.
/// </summary>
public static class StorefrontAgents
{
    public const string MerchantPath = "/api/storefront/v1/merchant";

    /// <summary>The development seed's workspaces (AuthServer and StorefrontApi seed the same ids).</summary>
    public static readonly Guid DemoStore = DemoWorkspace.Id;
    public static readonly Guid OtherStore = DemoWorkspace.OtherId;

    private static readonly ConcurrentDictionary<string, Lazy<Task<string>>> Minted = new();

    public static IReadOnlyList<string> AllScopes => ScopeCatalogue.Names;

    public static IReadOnlyList<string> AllBut(string scope) => ScopeCatalogue.Names.Where(s => s != scope).ToArray();

    private static readonly ConcurrentDictionary<Guid, Lazy<Task>> RaisedLimits = new();

    /// <summary>
    /// These tests send hundreds of requests per workspace a minute; the free plan would (rightly) refuse them, so the
    /// two workspaces get a generous override through the RateLimiter's internal API, as an operator would set one.
    /// </summary>
    public static Task RaiseLimitsAsync(this PlatformFixture platform, Guid workspaceId) =>
        RaisedLimits.GetOrAdd(workspaceId, _ => new Lazy<Task>(async () =>
        {
            var generous = new RateLimiter.LimitDto(1_000_000, 60, 100_000);
            await RateLimiter.RateLimiterAdmin.SetLimitsAsync(platform, workspaceId.ToString(), generous, generous);
        })).Value;

    /// <summary>A bearer of the given kind for the demo workspace holding exactly <paramref name="scopes"/>.</summary>
    public static Task<string> BearerAsync(this PlatformFixture platform, CredentialKindUnderTest kind, IReadOnlyList<string> scopes) => kind switch
    {
        CredentialKindUnderTest.ApiKey => platform.ApiKeyAsync(DemoStore, scopes),
        _ => platform.OAuthTokenAsync(scopes, StorefrontResource.Rest),
    };

    public static Task<string> ApiKeyAsync(this PlatformFixture platform, Guid workspaceId, IReadOnlyList<string> scopes) =>
        Minted.GetOrAdd($"key|{workspaceId}|{string.Join(' ', scopes.Order())}", _ => new Lazy<Task<string>>(async () =>
        {
            await platform.RaiseLimitsAsync(workspaceId);
            return await TestCredentials.CreateApiKeyAsync(platform, workspaceId, scopes);
        })).Value;

    public static Task<string> OAuthTokenAsync(this PlatformFixture platform, IReadOnlyList<string> scopes, StorefrontResource resource) =>
        Minted.GetOrAdd($"oauth|{resource}|{string.Join(' ', scopes.Order())}", _ => new Lazy<Task<string>>(async () =>
        {
            await platform.RaiseLimitsAsync(DemoStore); // the dev owner's tokens are for the demo workspace
            using var authServer = platform.CreateClient("authserver");
            var oauth = new OAuthTestClient(authServer);
            var (clientId, pkce, code) = await oauth.AuthorizeAsDemoOwnerAsync(string.Join(' ', scopes), ResourceUri(platform, resource));
            var tokens = await oauth.RedeemCodeAsync(clientId, code, pkce);
            var accessToken = tokens.GetProperty("access_token").GetString()!;
            Assert.StartsWith(CredentialFormats.OAuthAccessTokenPrefix, accessToken);
            return accessToken;
        })).Value;

    public static string ResourceUri(PlatformFixture platform, StorefrontResource resource) =>
        platform.Endpoint("storefrontapi").ToString().TrimEnd('/') + (resource == StorefrontResource.Mcp ? "/mcp" : "/api/storefront/v1");

    /// <summary>
    /// A client of the storefront's shared (replicated) endpoint, with or without a bearer. Each client speaks for its
    /// own address (X-Forwarded-For, believed from the test host's loopback proxy), so the per-IP limit of one test
    /// never throttles another.
    /// </summary>
    public static HttpClient Storefront(this PlatformFixture platform, string? bearer = null)
    {
        var client = platform.CreateClient("storefrontapi", allowRedirects: false);
        client.DefaultRequestHeaders.Add("X-Forwarded-For", $"198.18.{Random.Shared.Next(0, 256)}.{Random.Shared.Next(1, 255)}");
        if (bearer is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }

        return client;
    }
}
