using AlyAspire.AgentGate;
using AlyAspire.Shared.ApiKeys;
using AlyAspire.Shared.Scopes;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;

namespace AlyAspire.Tests.Infrastructure;

/// <summary>
/// People acting on keys the way the dashboard presents them to the KeyService: as actor assertions signed with the
/// stack's <c>actor-assertion-key</c> (the test plays the AuthServer; the KeyService verifies as it always does).
/// </summary>
public static class TestActors
{
    private static ActorAssertions? _assertions;

    /// <summary>Called once the stack runs: the key is the AppHost's secret parameter.</summary>
    internal static void Use(string signingKey) =>
        _assertions = new ActorAssertions(Options.Create(new ActorAssertionOptions { SigningKey = signingKey }), TimeProvider.System);

    public static ApiKeyActor Person(Guid workspaceId, string role, Guid? userId = null, string? sourceIp = null) =>
        ApiKeyActor.Person((_assertions ?? throw new InvalidOperationException("The platform has not started."))
            .Issue(userId ?? Guid.NewGuid(), workspaceId, role, sourceIp));

    public static ApiKeyActor Owner(Guid workspaceId, string? sourceIp = null) => Person(workspaceId, WorkspaceRoles.Owner, sourceIp: sourceIp);

    /// <summary>The actor id the KeyService records for a person's assertion: <c>user:{id}</c>.</summary>
    public static string IdOf(ApiKeyActor actor) => $"{ApiKeyVerifier.UserActorPrefix}{new JsonWebToken(actor.Assertion!).Subject}";
}
