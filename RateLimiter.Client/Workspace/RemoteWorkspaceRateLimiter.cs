using System.Diagnostics;
using AlyAspire.RateLimiter.Protos;
using AlyAspire.Shared.RateLimiting;
using Grpc.Core;
using Grpc.Net.ClientFactory;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AlyAspire.RateLimiter.Client.Workspace;

/// <summary>
/// Asks the RateLimiter (gRPC over one persistent HTTP/2 connection) for each decision. When it cannot
/// answer within <see cref="AgentRateLimitingOptions.DecisionTimeout"/>, the configured
/// <see cref="RateLimitFailureMode"/> decides instead, and keeps deciding for
/// <see cref="AgentRateLimitingOptions.RemoteRetryInterval"/> so an outage costs one timeout, not one per request.
/// A busy credential's requests are served from its lease when it holds one (<see cref="DecisionLeases"/>).
/// </summary>
public sealed partial class RemoteWorkspaceRateLimiter(
    GrpcClientFactory clientFactory,
    LocalWorkspaceRateLimiter fallback,
    DecisionLeases leases,
    AgentRateLimitingMetrics metrics,
    IOptions<AgentRateLimitingOptions> options,
    TimeProvider timeProvider,
    ILogger<RemoteWorkspaceRateLimiter> logger) : IWorkspaceRateLimiter
{
    private readonly AgentRateLimitingOptions _options = options.Value;
    private long _remoteRetryAtTicks;
    private int _degraded;

    public async ValueTask<WorkspaceRateLimitDecision> CheckAsync(string workspaceId, string? credentialId, int cost = 1, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(workspaceId);
        ArgumentOutOfRangeException.ThrowIfLessThan(cost, 1);
        // The decision API and the leases know "no credential" as the empty string.
        credentialId ??= string.Empty;

        var leaseWanted = 0;
        if (_options.Leases.Enabled)
        {
            if (leases.TrySpend(workspaceId, credentialId, cost, out var held, out leaseWanted))
            {
                metrics.LeaseSpent();
                if (leaseWanted > 0)
                {
                    _ = RefillAsync(workspaceId, credentialId, leaseWanted);
                }

                return new WorkspaceRateLimitDecision(true, null, TimeSpan.Zero, held, RateLimitDecisionSource.Lease);
            }
        }

        if (BackingOff)
        {
            return Degrade(workspaceId, credentialId, cost);
        }

        CheckReply reply;
        try
        {
            reply = await DecideAsync(new CheckRequest { WorkspaceId = workspaceId, CredentialId = credentialId, Cost = cost, Lease = leaseWanted }, cancellationToken);
        }
        catch (RpcException ex) when (!cancellationToken.IsCancellationRequested)
        {
            Volatile.Write(ref _remoteRetryAtTicks, (timeProvider.GetUtcNow() + _options.RemoteRetryInterval).UtcTicks);
            if (Interlocked.Exchange(ref _degraded, 1) == 0)
            {
                LogRemoteUnavailable(logger, ex.StatusCode, _options.FailureMode, ex);
            }

            return Degrade(workspaceId, credentialId, cost);
        }

        if (Interlocked.Exchange(ref _degraded, 0) == 1)
        {
            LogRemoteResumed(logger);
        }

        var decision = ToDecision(workspaceId, credentialId, reply);
        if (reply.Allowed && reply.Leased > 0)
        {
            leases.Hold(workspaceId, credentialId, reply.Leased, decision.Quotas);
        }

        return decision;
    }

    /// <summary>
    /// One decision of a unit plus a lease, made off the request path; its unit is held with the lease, so it is spent
    /// by a later request like the rest. Any failure leaves the lease to run out and its next request to ask.
    /// </summary>
    private async Task RefillAsync(string workspaceId, string credentialId, int wanted)
    {
        if (BackingOff)
        {
            leases.RefillFailed(workspaceId, credentialId);
            return;
        }

        try
        {
            var reply = await DecideAsync(new CheckRequest { WorkspaceId = workspaceId, CredentialId = credentialId, Cost = 1, Lease = wanted - 1 }, CancellationToken.None)
                .ConfigureAwait(false);
            if (!reply.Allowed)
            {
                leases.RefillFailed(workspaceId, credentialId);
                return;
            }

            leases.Hold(workspaceId, credentialId, reply.Leased + 1, ToDecision(workspaceId, credentialId, reply).Quotas);
        }
        catch (Exception ex) when (ex is RpcException or InvalidOperationException or ObjectDisposedException)
        {
            // The request path's next remote decision notices an outage and reports it; this one only gives up.
            leases.RefillFailed(workspaceId, credentialId);
        }
    }

    /// <summary>After a failed remote decision, the RateLimiter is left alone until the retry interval is over.</summary>
    private bool BackingOff => timeProvider.GetUtcNow().UtcTicks < Volatile.Read(ref _remoteRetryAtTicks);

    /// <summary>One decision by the RateLimiter, its round trip recorded.</summary>
    private async Task<CheckReply> DecideAsync(CheckRequest request, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            var client = clientFactory.CreateClient<RateLimitDecisions.RateLimitDecisionsClient>(nameof(RateLimitDecisions.RateLimitDecisionsClient));
            // The deadline is the transport's own (it travels as grpc-timeout), hence the wall clock here.
            var reply = await client.CheckAsync(request, deadline: DateTime.UtcNow + _options.DecisionTimeout, cancellationToken: cancellationToken);
            metrics.RemoteDecision(Stopwatch.GetElapsedTime(started), succeeded: true);
            return reply;
        }
        catch (RpcException) when (!cancellationToken.IsCancellationRequested)
        {
            metrics.RemoteDecision(Stopwatch.GetElapsedTime(started), succeeded: false);
            throw;
        }
    }

    private WorkspaceRateLimitDecision ToDecision(string workspaceId, string credentialId, CheckReply reply)
    {
        // Only the local fallback reads remembered budgets: with Open or Closed, skip the bookkeeping per request.
        if (_options.FailureMode == RateLimitFailureMode.FallbackToLocal)
        {
            fallback.Remember(workspaceId, credentialId, reply);
        }

        var quotas = new RateLimitQuota[reply.Quotas.Count];
        for (var i = 0; i < quotas.Length; i++)
        {
            var quota = reply.Quotas[i];
            quotas[i] = new RateLimitQuota(quota.Policy, quota.Quota, quota.WindowSeconds, quota.Remaining, TimeSpan.FromMilliseconds(quota.ResetMilliseconds));
        }

        RateLimitLayer? refusedBy = reply.Allowed ? null : reply.RefusedBy == RateLimitPolicies.Credential ? RateLimitLayer.Credential : RateLimitLayer.Workspace;
        return new WorkspaceRateLimitDecision(reply.Allowed, refusedBy, TimeSpan.FromMilliseconds(reply.RetryAfterMilliseconds), quotas, RateLimitDecisionSource.RateLimiter);
    }

    private WorkspaceRateLimitDecision Degrade(string workspaceId, string? credentialId, int cost)
    {
        var decision = _options.FailureMode switch
        {
            RateLimitFailureMode.Open => new WorkspaceRateLimitDecision(true, null, TimeSpan.Zero, [], RateLimitDecisionSource.FailedOpen),
            RateLimitFailureMode.Closed => new WorkspaceRateLimitDecision(false, null, _options.RemoteRetryInterval, [], RateLimitDecisionSource.FailedClosed),
            _ => fallback.Check(workspaceId, credentialId, cost),
        };
        metrics.Degraded(decision);
        return decision;
    }

    [LoggerMessage(LogLevel.Warning, "No limit decision from the RateLimiter ({StatusCode}); deciding with failure mode {FailureMode} until it answers again")]
    private static partial void LogRemoteUnavailable(ILogger logger, StatusCode statusCode, RateLimitFailureMode failureMode, Exception exception);

    [LoggerMessage(LogLevel.Information, "The RateLimiter answers again; durable workspace limits are back in force")]
    private static partial void LogRemoteResumed(ILogger logger);
}
