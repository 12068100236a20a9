using AlyAspire.AuthServer.Infrastructure;
using AlyAspire.Shared.ApiKeys;
using Microsoft.EntityFrameworkCore;

namespace AlyAspire.AuthServer.Keys;

/// <summary>
/// Delivers the <see cref="KeyRevocationRequest"/> outbox to the KeyService: every undelivered row is sent (the
/// KeyService's bulk revocations are idempotent) until it is confirmed, with a growing pause after a failure.
/// Woken at once when a row is written, and polls anyway, so rows written before a restart are delivered after it.
/// </summary>
public sealed partial class KeyRevocationDelivery(
    IServiceScopeFactory scopes,
    TimeProvider time,
    ILogger<KeyRevocationDelivery> logger) : BackgroundService
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromMinutes(5);
    private readonly SemaphoreSlim _wake = new(0);

    /// <summary>Tells the deliverer a row is waiting (after the row has committed).</summary>
    public void Wake()
    {
        if (_wake.CurrentCount == 0)
        {
            _wake.Release();
        }
    }

    /// <summary>Writes a row for a revoked grant in its own unit of work and wakes the deliverer.</summary>
    public async Task EnqueueGrantAsync(string authorizationId, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AuthDbContext>();
        db.KeyRevocationOutbox.Add(KeyRevocationRequest.ForGrant(authorizationId, time.GetUtcNow()));
        await db.SaveChangesAsync(ct);
        Wake();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await DeliverDueAsync(stoppingToken);
                await _wake.WaitAsync(PollInterval, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
            {
                LogScanFailed(logger, exception);
                await Task.Delay(PollInterval, time, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    public async Task DeliverDueAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AuthDbContext>();
        var keys = scope.ServiceProvider.GetRequiredService<ApiKeyClient>();
        var now = time.GetUtcNow();
        var due = await db.KeyRevocationOutbox
            .Where(r => r.DeliveredAt == null && r.NextAttemptAt <= now)
            .OrderBy(r => r.NextAttemptAt).Take(100).ToListAsync(ct);
        foreach (var request in due)
        {
            try
            {
                if (request.AuthorizationId is { } authorizationId)
                {
                    await keys.RevokeKeysOfAuthorizationAsync(authorizationId, ct);
                }
                else if (request is { WorkspaceId: { } workspaceId, UserId: { } userId })
                {
                    await keys.RevokeKeysOnBehalfOfAsync(workspaceId, userId, ct);
                }

                request.DeliveredAt = time.GetUtcNow();
            }
            catch (Exception exception) when (exception is HttpRequestException or ApiKeyServiceException or TimeoutException
                                              || (exception is OperationCanceledException && !ct.IsCancellationRequested))
            {
                request.Attempts++;
                var backoff = TimeSpan.FromSeconds(Math.Min(MaxBackoff.TotalSeconds, Math.Pow(2, request.Attempts)));
                request.NextAttemptAt = time.GetUtcNow() + backoff;
                LogDeliveryFailed(logger, exception, request.Id, request.Attempts);
            }

            await db.SaveChangesAsync(ct);
        }
    }

    [LoggerMessage(LogLevel.Warning, "Delivering key revocation {RequestId} to the KeyService failed (attempt {Attempts}); it is retried")]
    private static partial void LogDeliveryFailed(ILogger logger, Exception exception, long requestId, int attempts);

    [LoggerMessage(LogLevel.Warning, "Reading the key revocation outbox failed; retrying")]
    private static partial void LogScanFailed(ILogger logger, Exception exception);
}
