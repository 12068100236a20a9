using AlyAspire.Shared.ApiKeys;
using AlyAspire.Shared.Scopes;
using AlyAspire.Tests.Infrastructure;

namespace AlyAspire.Tests.KeyService;

/// <summary>Actors and requests for KeyService tests (the client itself: <see cref="Infrastructure.TestCredentials.ApiKeyClientAsync"/>).</summary>
internal static class KeyServiceClients
{
    public const string OwnerIp = "203.0.113.7";

    public static ApiKeyActor Owner(Guid workspaceId) => TestActors.Person(workspaceId, WorkspaceRoles.Owner, sourceIp: OwnerIp);

    public static ApiKeyActor Admin(Guid workspaceId) => TestActors.Person(workspaceId, WorkspaceRoles.Admin, sourceIp: "198.51.100.30");

    public static ApiKeyActor Member(Guid workspaceId) => TestActors.Person(workspaceId, WorkspaceRoles.Member, sourceIp: "198.51.100.20");

    public static CreateApiKeyRequest Request(params string[] scopes) =>
        new($"test key {Guid.NewGuid():N}", scopes.Length > 0 ? scopes : [ScopeCatalogue.ReadOrders, ScopeCatalogue.ReadContent], null);
}
