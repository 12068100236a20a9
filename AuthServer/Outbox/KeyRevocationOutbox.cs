using System.Text.Json;
using AlyAspire.AuthServer.Infrastructure;
using AlyAspire.Shared.ApiKeys;

namespace AlyAspire.AuthServer.Outbox;

/// <summary>
/// Revoking the API keys agents minted, through the outbox: because their OAuth grant was revoked
/// (<see cref="KeyRevocation.AuthorizationId"/>) or their person left the workspace (<see cref="KeyRevocation.WorkspaceId"/>
/// and <see cref="KeyRevocation.UserId"/>). Queued with the change that causes it, delivered to the KeyService (whose
/// bulk revocations are idempotent) with retries until it confirms.
/// </summary>
public static class KeyRevocationOutbox
{
    public const string Kind = "key-revocations";

    /// <summary>Keys minted under a revoked grant.</summary>
    public static void AddKeyRevocationForGrant(this OutboxWriter outbox, string authorizationId) =>
        outbox.Add(Kind, JsonSerializer.Serialize(new KeyRevocation(authorizationId, null, null)));

    /// <summary>Keys agents minted on behalf of a person who left the workspace.</summary>
    public static void AddKeyRevocationForPersonLeaving(this OutboxWriter outbox, Guid workspaceId, Guid userId) =>
        outbox.Add(Kind, JsonSerializer.Serialize(new KeyRevocation(null, workspaceId, userId)));

    /// <summary>
    /// Queues a grant's key revocation in its own unit of work, before the grant itself is revoked (so a crash in
    /// between errs towards revoking), and asks for its delivery at once.
    /// </summary>
    public static async Task EnqueueForGrantAsync(IServiceScopeFactory scopes, OutboxDispatcher dispatcher, string authorizationId, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var outbox = scope.ServiceProvider.GetRequiredService<OutboxWriter>();
        outbox.AddKeyRevocationForGrant(authorizationId);
        await scope.ServiceProvider.GetRequiredService<AuthDbContext>().SaveChangesAsync(ct);
        dispatcher.Wake();
    }

    internal sealed record KeyRevocation(string? AuthorizationId, Guid? WorkspaceId, Guid? UserId);
}

public sealed class KeyRevocationOutboxHandler(IServiceScopeFactory scopes) : IOutboxHandler
{
    public string Kind => KeyRevocationOutbox.Kind;

    public async Task DeliverAsync(string payload, CancellationToken cancellationToken)
    {
        var revocation = JsonSerializer.Deserialize<KeyRevocationOutbox.KeyRevocation>(payload)
            ?? throw new InvalidOperationException("The queued key revocation is empty.");
        await using var scope = scopes.CreateAsyncScope();
        var keys = scope.ServiceProvider.GetRequiredService<ApiKeyClient>();
        if (revocation.AuthorizationId is { } authorizationId)
        {
            await keys.RevokeKeysOfAuthorizationAsync(authorizationId, cancellationToken);
        }
        else if (revocation is { WorkspaceId: { } workspaceId, UserId: { } userId })
        {
            await keys.RevokeKeysOnBehalfOfAsync(workspaceId, userId, cancellationToken);
        }
    }
}
