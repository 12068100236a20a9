using AlyAspire.AgentGate;
using AlyAspire.KeyService.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace AlyAspire.KeyService.Services;

/// <summary>
/// When a roll's grace period ends, the old secret is revoked as a revoke would do it: its marker is written (and
/// the key published). Driven by the database (secrets whose grace has ended and whose marker is not recorded as
/// written), so a restart or a Redis outage only delays it; every replica may run it, writing a marker twice is harmless.
/// </summary>
public sealed partial class GraceEndMarkerJob(
    IServiceScopeFactory scopes,
    RevocationPublisher revocations,
    IOptions<DelegatedKeyOptions> options,
    TimeProvider time,
    ILogger<GraceEndMarkerJob> logger) : BackgroundService
{
    private const int BatchSize = 500;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.GraceEndScanInterval, time);
        try
        {
            do
            {
                try
                {
                    await MarkEndedGracesAsync(stoppingToken);
                }
                catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
                {
                    LogScanFailed(logger, exception);
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    public async Task MarkEndedGracesAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<KeysDbContext>();
        var now = time.GetStoredUtcNow();
        var ended = await db.ApiKeySecrets.AsNoTracking()
            .Where(s => s.GraceExpiresAt != null && s.GraceExpiresAt <= now && s.RevocationMarkedAt == null)
            .OrderBy(s => s.GraceExpiresAt)
            .Take(BatchSize)
            .Select(s => new { s.Id, s.ApiKeyId })
            .ToListAsync(ct);
        foreach (var key in ended.GroupBy(s => s.ApiKeyId))
        {
            var ids = key.Select(s => s.Id).ToList();
            await revocations.ApiKeySecretsRevokedAsync(key.Key, ids);
            await db.ApiKeySecrets.Where(s => ids.Contains(s.Id)).ExecuteUpdateAsync(s => s.SetProperty(x => x.RevocationMarkedAt, now), ct);
        }
    }

    [LoggerMessage(LogLevel.Warning, "Writing the revocation markers of rolled-away secrets failed; the next scan retries")]
    private static partial void LogScanFailed(ILogger logger, Exception exception);
}
