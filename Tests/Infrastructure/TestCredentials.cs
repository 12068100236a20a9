using AlyAspire.Shared.ApiKeys;
using AlyAspire.Shared.Internal;

namespace AlyAspire.Tests.Infrastructure;

/// <summary>Credentials minted the way the platform mints them, for tests that need one.</summary>
public static class TestCredentials
{
    /// <summary>
    /// An HTTP client for a service's internal API, holding <paramref name="caller"/>'s credential for it (by default
    /// its usual caller: the StorefrontApi for the RateLimiter, the AuthServer's dashboard for the KeyService).
    /// </summary>
    public static async Task<HttpClient> CreateServiceClientAsync(this PlatformFixture platform, string resource, string? caller = null)
    {
        caller ??= resource == PlatformServices.RateLimiter ? PlatformServices.StorefrontApi : PlatformServices.AuthServer;
        var http = platform.CreateClient(resource);
        http.DefaultRequestHeaders.Add(InternalServiceAuthentication.HeaderName, await platform.ServiceSecretAsync(caller, resource));
        return http;
    }

    /// <summary>The secret <paramref name="caller"/> presents to <paramref name="callee"/> (one AppHost secret parameter per pair).</summary>
    public static Task<string> ServiceSecretAsync(this PlatformFixture platform, string caller, string callee) =>
        platform.GetSecretAsync(AlyAspire.AppHost.Hosting.ServiceCredentialExtensions.Name(caller, callee));

    /// <summary>An <see cref="ApiKeyClient"/> on the running KeyService, holding the AuthServer's credential (as the dashboard does).</summary>
    public static async Task<ApiKeyClient> ApiKeyClientAsync(this PlatformFixture platform) =>
        new(await platform.CreateServiceClientAsync("keyservice"));

    /// <summary>Mints an API key in a workspace, as its owner would in the dashboard; returns the secret.</summary>
    public static async Task<string> CreateApiKeyAsync(PlatformFixture platform, Guid workspaceId, IReadOnlyList<string> scopes, string? name = null)
    {
        var client = await platform.ApiKeyClientAsync();
        var created = await client.CreateAsync(workspaceId, new CreateApiKeyRequest(name ?? $"test key {Guid.NewGuid():N}", scopes, null),
            TestActors.Owner(workspaceId, "127.0.0.1"));
        return created.Secret;
    }
}
