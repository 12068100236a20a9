using AlyAspire.Shared.ApiKeys;
using AlyAspire.Shared.Internal;
using AlyAspire.Shared.Scopes;
using AlyAspire.Tests.Infrastructure;

namespace AlyAspire.Tests.KeyService;

/// <summary>KeyService clients for tests: the shared <see cref="ApiKeyClient"/> with the platform's service credential.</summary>
internal static class KeyServiceClients
{
    public static async Task<HttpClient> CreateServiceHttpClientAsync(this PlatformFixture platform)
    {
        var http = platform.CreateClient("keyservice");
        http.DefaultRequestHeaders.Add(InternalServiceAuthentication.HeaderName, await platform.GetSecretAsync("internal-service-key"));
        return http;
    }

    public static async Task<ApiKeyClient> CreateApiKeyClientAsync(this PlatformFixture platform) =>
        new(await platform.CreateServiceHttpClientAsync());

    public static ApiKeyActor Owner() =>
        new($"user:{Guid.NewGuid()}", WorkspaceRoles.ScopesFor(WorkspaceRoles.Owner), "203.0.113.7");

    public static ApiKeyActor Member() =>
        new($"user:{Guid.NewGuid()}", WorkspaceRoles.ScopesFor(WorkspaceRoles.Member), "198.51.100.20");

    public static CreateApiKeyRequest Request(params string[] scopes) =>
        new($"test key {Guid.NewGuid():N}", scopes.Length > 0 ? scopes : [ScopeCatalogue.ReadOrders, ScopeCatalogue.ReadContent], null);
}
