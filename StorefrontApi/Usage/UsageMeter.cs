using AlyAspire.AgentGate;
using System.Collections.Concurrent;
using AlyAspire.Shared.Credentials;
using AlyAspire.Shared.Usage;

namespace AlyAspire.StorefrontApi.Usage;

/// <summary>
/// The credential a request was made with, as usage counts it: set by the bearer gate once it has identified the
/// credential (also when it then refuses it), read by <see cref="UsageMeteringMiddleware"/> when the response is done.
/// </summary>
public sealed record MeteredCredential(string WorkspaceId, string Kind, string CredentialId, string? ClientId)
{
    /// <summary>API keys by key id; OAuth tokens by their grant (authorization), or by client for a token without one (a machine client).</summary>
    public static MeteredCredential For(VerifiedCredential credential) => credential.Kind == CredentialKind.ApiKey
        ? new(credential.WorkspaceId, UsageCredentialKinds.ApiKey, credential.CredentialId, null)
        : new(credential.WorkspaceId, UsageCredentialKinds.OAuth, credential.AuthorizationId ?? credential.ClientId ?? credential.CredentialId, credential.ClientId);
}

/// <summary>How a metered request ended.</summary>
public enum UsageOutcome
{
    Allowed,
    Unauthorized,
    Forbidden,
    CredentialLimited,
    WorkspaceLimited,
}

/// <summary>
/// Counts requests per credential and UTC day in memory, lock-free: one dictionary lookup and one interlocked add per
/// request. <see cref="TakeCounts"/> moves the counts out atomically per counter (an exchange with zero), so a request
/// counted while a batch is taken lands in this batch or the next, never in both and never in neither.
/// </summary>
public sealed class UsageMeter
{
    private readonly ConcurrentDictionary<Key, Counter> _counters = new();

    public void Record(MeteredCredential credential, UsageOutcome outcome, DateTimeOffset at)
    {
        var key = new Key(credential, DateOnly.FromDateTime(at.UtcDateTime));
        var counter = _counters.GetOrAdd(key, static _ => new Counter());
        switch (outcome)
        {
            case UsageOutcome.Allowed: Interlocked.Increment(ref counter.Allowed); break;
            case UsageOutcome.Unauthorized: Interlocked.Increment(ref counter.Unauthorized); break;
            case UsageOutcome.Forbidden: Interlocked.Increment(ref counter.Forbidden); break;
            case UsageOutcome.CredentialLimited: Interlocked.Increment(ref counter.CredentialLimited); break;
            default: Interlocked.Increment(ref counter.WorkspaceLimited); break;
        }

        var ticks = at.UtcTicks;
        long seen;
        while ((seen = Volatile.Read(ref counter.LastUsedTicks)) < ticks
               && Interlocked.CompareExchange(ref counter.LastUsedTicks, ticks, seen) != seen)
        {
        }
    }

    /// <summary>Everything counted since the last call, one entry per credential and day; counting goes on meanwhile.</summary>
    public List<UsageCount> TakeCounts(DateOnly today)
    {
        var counts = new List<UsageCount>();
        foreach (var (key, counter) in _counters)
        {
            var allowed = Interlocked.Exchange(ref counter.Allowed, 0);
            var unauthorized = Interlocked.Exchange(ref counter.Unauthorized, 0);
            var forbidden = Interlocked.Exchange(ref counter.Forbidden, 0);
            var credentialLimited = Interlocked.Exchange(ref counter.CredentialLimited, 0);
            var workspaceLimited = Interlocked.Exchange(ref counter.WorkspaceLimited, 0);
            if (allowed + unauthorized + forbidden + credentialLimited + workspaceLimited > 0
                && Guid.TryParse(key.Credential.WorkspaceId, out var workspaceId))
            {
                counts.Add(new UsageCount(workspaceId, key.Credential.Kind, key.Credential.CredentialId, key.Credential.ClientId, key.Day,
                    allowed, unauthorized, forbidden, credentialLimited, workspaceLimited,
                    new DateTimeOffset(Volatile.Read(ref counter.LastUsedTicks), TimeSpan.Zero)));
            }
            else if (key.Day < today.AddDays(-1))
            {
                // Idle and of a day no request is counted for any more: forgotten, so the dictionary holds only
                // today's (and yesterday's) credentials.
                _counters.TryRemove(new KeyValuePair<Key, Counter>(key, counter));
            }
        }

        return counts;
    }

    private readonly record struct Key(MeteredCredential Credential, DateOnly Day);

    private sealed class Counter
    {
        public long Allowed;
        public long Unauthorized;
        public long Forbidden;
        public long CredentialLimited;
        public long WorkspaceLimited;
        public long LastUsedTicks;
    }
}
