using AlyAspire.Shared.ApiKeys;
using AlyAspire.Shared.Scopes;

namespace AlyAspire.Tests.KeyService;

/// <summary>Actors and requests for KeyService tests (the client itself: <see cref="Infrastructure.TestCredentials.ApiKeyClientAsync"/>).</summary>
internal static class KeyServiceClients
{
    public static ApiKeyActor Owner() =>
        new($"user:{Guid.NewGuid()}", WorkspaceRoles.ScopesFor(WorkspaceRoles.Owner), "203.0.113.7");

    public static ApiKeyActor Member() =>
        new($"user:{Guid.NewGuid()}", WorkspaceRoles.ScopesFor(WorkspaceRoles.Member), "198.51.100.20");

    public static CreateApiKeyRequest Request(params string[] scopes) =>
        new($"test key {Guid.NewGuid():N}", scopes.Length > 0 ? scopes : [ScopeCatalogue.ReadOrders, ScopeCatalogue.ReadContent], null);
}
