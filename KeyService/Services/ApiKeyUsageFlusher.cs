using AlyAspire.KeyService.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace AlyAspire.KeyService.Services;

public sealed class ApiKeyUsageOptions
{
    /// <summary>How often counted uses are written (<c>ApiKeys:UsageFlushInterval</c>).</summary>
    public TimeSpan UsageFlushInterval { get; set; } = TimeSpan.FromSeconds(5);
}

/// <summary>Writes counted key uses every few seconds: one set-based statement per batch adds the counts per key and day and moves each key's last use forward.</summary>
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

        var keyIds = new Guid[batch.Count];
        var days = new DateOnly[batch.Count];
        var requests = new long[batch.Count];
        var lastUsedAt = new DateTimeOffset[batch.Count];
        for (var i = 0; i < batch.Count; i++)
        {
            (keyIds[i], days[i], requests[i], lastUsedAt[i]) = batch[i];
        }

        try
        {
            using var scope = scopes.CreateScope();
            var db = scope.ServiceProvider.GetRequiredService<KeysDbContext>();
            // One statement for the whole batch, so it is atomic without a transaction: the counts of every
            // (key, day) are added and each key's last use moves forward, or nothing is written and the batch is
            // returned below. The batch holds each (key, day) once, as one ON CONFLICT upsert requires.
            // (ExecuteSql runs under the context's retrying execution strategy.)
            await db.Database.ExecuteSqlAsync(
                $"""
                WITH batch AS (
                    SELECT * FROM unnest({keyIds}, {days}, {requests}, {lastUsedAt}) AS b(key_id, usage_day, requests, last_used_at)
                ), usage AS (
                    INSERT INTO "ApiKeyDailyUsage" ("ApiKeyId", "Day", "Requests")
                    SELECT key_id, usage_day, requests FROM batch
                    ON CONFLICT ("ApiKeyId", "Day") DO UPDATE SET "Requests" = "ApiKeyDailyUsage"."Requests" + EXCLUDED."Requests"
                )
                UPDATE "ApiKeys" AS k SET "LastUsedAt" = used.last_used_at
                FROM (SELECT key_id, max(last_used_at) AS last_used_at FROM batch GROUP BY key_id) AS used
                WHERE k."Id" = used.key_id AND (k."LastUsedAt" IS NULL OR k."LastUsedAt" < used.last_used_at)
                """,
                cancellationToken);
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
