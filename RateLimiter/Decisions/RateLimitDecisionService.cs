using System.Diagnostics;
using AlyAspire.RateLimiter.Limits;
using AlyAspire.RateLimiter.Protos;
using Grpc.Core;
using Microsoft.Extensions.Options;
using Npgsql;
using StackExchange.Redis;

namespace AlyAspire.RateLimiter.Decisions;

/// <summary>
/// The decision API over gRPC: a persistent HTTP/2 connection per caller, one small protobuf message each way.
/// A decision that cannot be made (Redis or limitsdb unreachable) answers <see cref="StatusCode.Unavailable"/>
/// quickly, and the caller applies its configured failure mode.
/// </summary>
public sealed class RateLimitDecisionService(
    WorkspaceLimitPolicies policies,
    GcraDecisionStore store,
    RateLimitingMetrics metrics,
    IOptions<RateLimitOptions> options,
    ILogger<RateLimitDecisionService> logger) : RateLimitDecisions.RateLimitDecisionsBase
{
    public const int MaxCost = 1_000;
    public const int MaxLease = 10_000;
    public const int MaxIdentifierLength = 64;

    public override async Task<CheckReply> Check(CheckRequest request, ServerCallContext context)
    {
        if (string.IsNullOrWhiteSpace(request.WorkspaceId) || request.WorkspaceId.Length > MaxIdentifierLength)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"workspace_id is required (at most {MaxIdentifierLength} characters)."));
        }

        if (request.CredentialId.Length > MaxIdentifierLength)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"credential_id has at most {MaxIdentifierLength} characters."));
        }

        if (request.Cost is < 1 or > MaxCost)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"cost must be between 1 and {MaxCost}."));
        }

        if (request.Lease is < 0 or > MaxLease)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"lease must be between 0 and {MaxLease}."));
        }

        var started = Stopwatch.GetTimestamp();
        Decision decision;
        try
        {
            var limits = await policies.GetAsync(request.WorkspaceId, context.CancellationToken);
            decision = await store.DecideAsync(limits, request.CredentialId, request.Cost, request.Lease, options.Value.LeaseReservePerUnit);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or Polly.ExecutionRejectedException)
        {
            metrics.RecordFailure("redis");
            // Without the stack: while Redis is gone this is every decision, and formatting stacks takes the CPU the
            // fallbacks need. While the breaker is open the failures that opened it have been logged.
            if (ex is not Polly.CircuitBreaker.BrokenCircuitException)
            {
                logger.LogWarning("No limit decision for workspace {WorkspaceId}: Redis is unreachable ({Failure})", request.WorkspaceId, ex.GetType().Name);
            }
            throw new RpcException(new Status(StatusCode.Unavailable, "The limit store is unreachable."));
        }
        catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException { InnerException: NpgsqlException })
        {
            metrics.RecordFailure("limitsdb");
            logger.LogWarning(ex, "No limit decision for workspace {WorkspaceId}: limitsdb is unreachable", request.WorkspaceId);
            throw new RpcException(new Status(StatusCode.Unavailable, "The limit policies are unreachable."));
        }

        metrics.Record(decision, Stopwatch.GetElapsedTime(started));
        var reply = new CheckReply
        {
            Allowed = decision.Allowed,
            RetryAfterMilliseconds = decision.Allowed ? 0 : (long)Math.Ceiling(decision.RetryAfter.TotalMilliseconds),
            RefusedBy = decision.RefusedBy ?? string.Empty,
            Leased = decision.Leased,
        };
        foreach (var bucket in decision.Buckets)
        {
            reply.Quotas.Add(new QuotaStatus
            {
                Policy = bucket.Policy,
                Quota = bucket.Limit.RequestsPerWindow,
                WindowSeconds = bucket.Limit.WindowSeconds,
                Burst = bucket.Limit.Burst,
                Remaining = bucket.Remaining,
                ResetMilliseconds = (long)Math.Ceiling(bucket.UntilFull.TotalMilliseconds),
            });
        }

        return reply;
    }
}
