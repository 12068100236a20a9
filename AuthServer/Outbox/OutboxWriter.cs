using AlyAspire.AuthServer.Infrastructure;

namespace AlyAspire.AuthServer.Outbox;

/// <summary>
/// Delivers one kind of outbox message. Delivery must be idempotent: a message is retried until a call succeeds,
/// and may be delivered again if the process dies between the side effect and its bookkeeping.
/// To add a side effect to a change, register a handler and <see cref="OutboxWriter.Add"/> its message in the change's
/// transaction.
/// </summary>
public interface IOutboxHandler
{
    string Kind { get; }

    /// <summary>Mail payloads carry link tokens: they are erased once delivered.</summary>
    bool ErasesPayloadOnDelivery => false;

    Task DeliverAsync(string payload, CancellationToken cancellationToken);
}

/// <summary>Adds side effects to the unit of work of the change that causes them (same <see cref="AuthDbContext"/>).</summary>
public sealed class OutboxWriter(AuthDbContext db, TimeProvider time)
{
    private readonly List<Guid> _added = [];

    /// <summary>Messages added in this scope, so the caller can ask for them to be delivered at once after commit.</summary>
    public IReadOnlyList<Guid> Added => _added;

    public OutboxMessage Add(string kind, string payload)
    {
        var now = time.GetUtcNow();
        var message = new OutboxMessage { Id = Guid.CreateVersion7(now), Kind = kind, Payload = payload, CreatedAt = now, NextAttemptAt = now };
        db.OutboxMessages.Add(message);
        _added.Add(message.Id);
        return message;
    }
}
