using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace AlyAspire.RateLimiter.Client.Workspace;

/// <summary>
/// Units the RateLimiter consumed ahead for a busy credential (leases), held by this instance and spent by that
/// credential's next requests here without a round trip.
/// </summary>
/// <remarks>
/// Why: a credential sending hundreds of requests a second would otherwise cost the RateLimiter and Redis one
/// decision each. A lease is taken in the same atomic step as a decision, so the budget is never overspent across
/// instances; the RateLimiter grants one only out of a budget far from exhausted (see its
/// <c>LeaseReservePerUnit</c>), so near a limit every request is still decided by Redis. The size follows demand:
/// about <see cref="DecisionLeaseOptions.Horizon"/>'s worth of the requests this credential sent here since its
/// last decision a request waited for (none for its first request), at most <see cref="DecisionLeaseOptions.MaxUnits"/>. Units
/// unspent after <see cref="DecisionLeaseOptions.Lifetime"/> are dropped, so a lowered limit is in force within
/// that time; what they cost the budget is replenished at its sustained rate like any consumption.
/// <para>
/// A lease is refilled ahead (<see cref="TrySpend"/> says when): once half of what was granted is spent, one decision
/// in the background asks for the next units while the rest are still being spent, so a steady credential's
/// requests do not wait for a remote decision every few requests (that wait was most of the gated path's tail).
/// The refill is an ordinary decision of one unit plus a lease, held in full: the budget sees nothing it would not
/// otherwise.
/// </para>
/// </remarks>
public sealed class DecisionLeases : IDisposable
{
    private static readonly TimeSpan IdleFor = TimeSpan.FromMinutes(5);

    private readonly ConcurrentDictionary<(string WorkspaceId, string CredentialId), Lease> _leases = new();
    private readonly TimeProvider _time;
    private readonly int _maxUnits;
    private readonly long _horizon;
    private readonly long _minimumSample;
    private readonly long _lifetime;
    private readonly long _idleFor;
    private readonly ITimer _sweeper;

    public DecisionLeases(IOptions<AgentRateLimitingOptions> options, TimeProvider time)
    {
        var leases = options.Value.Leases;
        _time = time;
        _maxUnits = leases.MaxUnits;
        _horizon = Timestamps(leases.Horizon);
        // Demand is measured over at least a tenth of the horizon, so two requests in the same instant do not
        // read as an unbounded rate.
        _minimumSample = Math.Max(1, _horizon / 10);
        _lifetime = Timestamps(leases.Lifetime);
        _idleFor = Timestamps(IdleFor);
        _sweeper = time.CreateTimer(_ => Sweep(), null, IdleFor, IdleFor);
    }

    /// <summary>
    /// Spends <paramref name="cost"/> units of the credential's lease when it holds them, with the budgets'
    /// state as last reported (plus the units still held); <paramref name="wanted"/> is then the size of the refill
    /// to ask for in the background (0: none is due), owed back as <see cref="Hold"/> or <see cref="RefillFailed"/>.
    /// Otherwise returns false, and <paramref name="wanted"/> is the number of units to ask the RateLimiter for along
    /// with this request's decision.
    /// </summary>
    public bool TrySpend(string workspaceId, string credentialId, int cost, out IReadOnlyList<RateLimitQuota> quotas, out int wanted)
    {
        var now = _time.GetTimestamp();
        var lease = LeaseOf(workspaceId, credentialId, now);
        lock (lease)
        {
            lease.LastUsed = now;
            if (lease.Units >= cost && now < lease.ExpiresAt)
            {
                lease.Units -= cost;
                lease.Demand++;
                quotas = Held(lease.Quotas, lease.Units);
                wanted = 0;
                // A refill once half of the last grant is spent, one at a time, and only for demand worth a decision
                // of its own (else the next request beyond the lease asks). It leaves the demand sample running: that
                // restarts only with a decision a request waited for.
                if (!lease.Refilling && lease.Granted > 0 && lease.Units * 2 <= lease.Granted && DemandedUnits(lease, now) is >= 2 and var refill)
                {
                    wanted = refill;
                    lease.Refilling = true;
                }

                return true;
            }

            wanted = DemandedUnits(lease, now);
            lease.Demand = 1;
            lease.DemandSince = now;
            quotas = [];
            return false;
        }
    }

    /// <summary>The credential's demand here since its last decision on the request path, as units over the horizon.</summary>
    private int DemandedUnits(Lease lease, long now) =>
        (int)Math.Min(_maxUnits, lease.Demand * _horizon / Math.Max(now - lease.DemandSince, _minimumSample));

    /// <summary>Adds the units a decision leased to the credential's lease, restarting its lifetime.</summary>
    public void Hold(string workspaceId, string credentialId, int units, IReadOnlyList<RateLimitQuota> quotas)
    {
        var now = _time.GetTimestamp();
        var lease = LeaseOf(workspaceId, credentialId, now);
        lock (lease)
        {
            lease.Units = now < lease.ExpiresAt ? lease.Units + units : units;
            lease.ExpiresAt = now + _lifetime;
            lease.Quotas = quotas;
            lease.Granted = units;
            lease.Refilling = false;
        }
    }

    /// <summary>The refill was refused or not answered: the lease spends what it holds, and its next request asks.</summary>
    public void RefillFailed(string workspaceId, string credentialId)
    {
        if (_leases.TryGetValue((workspaceId, credentialId), out var lease))
        {
            lock (lease)
            {
                // No further refill of this lease: what it holds is spent, then its next request asks as usual.
                lease.Refilling = false;
                lease.Granted = 0;
            }
        }
    }

    public void Dispose() => _sweeper.Dispose();

    private Lease LeaseOf(string workspaceId, string credentialId, long now) =>
        _leases.GetOrAdd((workspaceId, credentialId), static (_, now) => new Lease(now), now);

    private static IReadOnlyList<RateLimitQuota> Held(IReadOnlyList<RateLimitQuota> reported, int units)
    {
        var quotas = new RateLimitQuota[reported.Count];
        for (var i = 0; i < quotas.Length; i++)
        {
            quotas[i] = reported[i] with { Remaining = reported[i].Remaining + units };
        }

        return quotas;
    }

    private void Sweep()
    {
        var cutoff = _time.GetTimestamp() - _idleFor;
        foreach (var entry in _leases)
        {
            if (Volatile.Read(ref entry.Value.LastUsed) < cutoff)
            {
                _leases.TryRemove(entry);
            }
        }
    }

    private long Timestamps(TimeSpan span) => (long)(span.TotalSeconds * _time.TimestampFrequency);

    private sealed class Lease(long now)
    {
        public int Units;
        public long ExpiresAt;
        public IReadOnlyList<RateLimitQuota> Quotas = [];
        // Units of the last grant, and whether a refill of it is under way.
        public int Granted;
        public bool Refilling;
        // Requests of this credential here since its last decision a request waited for (that one included), and since when.
        public int Demand;
        public long DemandSince = now;
        public long LastUsed = now;
    }
}
