namespace AlyAspire.KeyService.Services;

/// <summary>
/// Counts verified uses per key and UTC day in memory; <see cref="ApiKeyUsageFlusher"/> writes them in batches,
/// so the hot path never writes to the database.
/// </summary>
public sealed class ApiKeyUsageRecorder
{
    // A plain lock: held for a dictionary update only, far below the cost of the verify request around it.
    private readonly Lock _gate = new();
    private Dictionary<(Guid KeyId, DateOnly Day), UsageBatchEntry> _pending = [];

    public void Record(Guid keyId, DateTimeOffset at) => Add(keyId, at, 1);

    /// <summary>Takes what was counted so far; counting goes on into a fresh set.</summary>
    public IReadOnlyList<UsageBatchEntry> TakePending()
    {
        Dictionary<(Guid, DateOnly), UsageBatchEntry> taken;
        lock (_gate)
        {
            taken = _pending;
            _pending = [];
        }

        return [.. taken.Values];
    }

    /// <summary>Puts a batch back after a failed write, so no use is lost.</summary>
    public void Return(IEnumerable<UsageBatchEntry> batch)
    {
        foreach (var entry in batch)
        {
            Add(entry.KeyId, entry.LastUsedAt, entry.Requests);
        }
    }

    private void Add(Guid keyId, DateTimeOffset at, long requests)
    {
        var day = DateOnly.FromDateTime(at.UtcDateTime);
        lock (_gate)
        {
            _pending[(keyId, day)] = _pending.TryGetValue((keyId, day), out var seen)
                ? seen with { Requests = seen.Requests + requests, LastUsedAt = at > seen.LastUsedAt ? at : seen.LastUsedAt }
                : new UsageBatchEntry(keyId, day, requests, at);
        }
    }
}

public sealed record UsageBatchEntry(Guid KeyId, DateOnly Day, long Requests, DateTimeOffset LastUsedAt);
