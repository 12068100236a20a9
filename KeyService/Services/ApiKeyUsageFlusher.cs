using AlyAspire.KeyService.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace AlyAspire.KeyService.Services;

public sealed class ApiKeyUsageOptions
{
    /// <summary>How often counted uses are written (<c>ApiKeys:UsageFlushInterval</c>).</summary>
    public TimeSpan UsageFlushInterval { get; set; } = TimeSpan.FromSeconds(5);
}

/// <summary>Writes counted key uses every few seconds: one upsert per key and day, one last-used update per key.</summary>
public sealed partial class ApiKeyUsageFlusher(
    ApiKeyUsageRecorder recorder,
    IServiceScopeFactory scopes,
    IOptions<ApiKeyUsageOptions> options,
    TimeProvider time,
    ILogger<ApiKeyUsageFlusher> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.UsageFlushInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await FlushAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }

        // What was counted since the last tick is written on the way out.
        using var shutdown = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await FlushAsync(shutdown.Token);
    }

    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        var batch = recorder.TakePending();
        if (batch.Count == 0)
        {
            return;
        }

        try
        {
            using var scope = scopes.CreateScope();
            var db = scope.ServiceProvider.GetRequiredService<KeysDbContext>();
            var strategy = db.Database.CreateExecutionStrategy();
            await strategy.ExecuteAsync(async () =>
            {
                await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
                foreach (var entry in batch)
                {
                    await db.Database.ExecuteSqlAsync(
                        $"""
                        INSERT INTO "ApiKeyDailyUsage" ("ApiKeyId", "Day", "Requests") VALUES ({entry.KeyId}, {entry.Day}, {entry.Requests})
                        ON CONFLICT ("ApiKeyId", "Day") DO UPDATE SET "Requests" = "ApiKeyDailyUsage"."Requests" + EXCLUDED."Requests"
                        """,
                        cancellationToken);
                }

                foreach (var (keyId, lastUsedAt) in batch.GroupBy(e => e.KeyId).Select(g => (g.Key, g.Max(e => e.LastUsedAt))))
                {
                    await db.ApiKeys
                        .Where(k => k.Id == keyId && (k.LastUsedAt == null || k.LastUsedAt < lastUsedAt))
                        .ExecuteUpdateAsync(s => s.SetProperty(k => k.LastUsedAt, lastUsedAt), cancellationToken);
                }

                await transaction.CommitAsync(cancellationToken);
            });
        }
        catch (Exception exception)
        {
            recorder.Return(batch);
            LogFlushFailed(logger, exception, batch.Count);
        }
    }

    [LoggerMessage(LogLevel.Warning, "Writing usage of {Count} key-days failed; they are kept for the next round.")]
    private static partial void LogFlushFailed(ILogger logger, Exception exception, int count);
}
