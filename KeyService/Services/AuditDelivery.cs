using AlyAspire.AgentGate;
using AlyAspire.KeyService.Infrastructure;
using AlyAspire.Shared.ApiKeys;
using AlyAspire.Shared.Audit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace AlyAspire.KeyService.Services;

/// <summary>
/// Delivers key events to the workspace's one audit log in the AuthServer. The KeyService's audit records are the
/// outbox: written in the transaction of the change, delivered here in order with a stable id (so a redelivery after
/// a crash is a no-op there), and marked delivered. An AuthServer outage only delays them.
/// </summary>
public sealed partial class AuditDelivery(
    IServiceScopeFactory scopes,
    IOptions<DelegatedKeyOptions> options,
    TimeProvider time,
    ILogger<AuditDelivery> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.AuditDeliveryInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await DeliverAsync(stoppingToken);
                }
                catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
                {
                    LogDeliveryFailed(logger, exception);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    public async Task DeliverAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<KeysDbContext>();
        var audit = scope.ServiceProvider.GetRequiredService<AuditClient>();
        var pending = await db.ApiKeyAuditRecords.Where(r => r.DeliveredAt == null).OrderBy(r => r.Id).Take(100).ToListAsync(ct);
        foreach (var record in pending)
        {
            await audit.SubmitAsync(record.WorkspaceId, new AuditEventSubmission(
                $"keyservice:{record.Id}",
                record.OccurredAt,
                record.Action switch
                {
                    ApiKeyAuditActions.Created => AuditKinds.KeyCreated,
                    ApiKeyAuditActions.Rolled => AuditKinds.KeyRolled,
                    _ => AuditKinds.KeyRevoked,
                },
                record.ActorKind ?? (record.Actor.StartsWith(ApiKeyVerifier.UserActorPrefix, StringComparison.Ordinal) ? KeyActorKinds.Person : KeyActorKinds.ApiKey),
                record.Actor,
                record.SourceIp,
                $"key:{record.ApiKeyId}",
                AuditOutcomes.Succeeded,
                record.Detail), ct);
            record.DeliveredAt = time.GetUtcNow();
            await db.SaveChangesAsync(ct);
        }
    }

    [LoggerMessage(LogLevel.Warning, "Delivering key events to the audit log failed; they are retried")]
    private static partial void LogDeliveryFailed(ILogger logger, Exception exception);
}
