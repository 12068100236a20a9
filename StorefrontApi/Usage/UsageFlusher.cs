using AlyAspire.Shared.Usage;
using Microsoft.Extensions.Options;

namespace AlyAspire.StorefrontApi.Usage;

public sealed class UsageMeteringOptions
{
    public const string Section = "Usage";

    /// <summary>How often counted requests are sent to the usage store (<c>Usage:FlushInterval</c>); "last used" is exact to it.</summary>
    public TimeSpan FlushInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How long the last flush on shutdown may take (<c>Usage:ShutdownFlushTimeout</c>).</summary>
    public TimeSpan ShutdownFlushTimeout { get; set; } = TimeSpan.FromSeconds(10);
}

/// <summary>
/// Sends the <see cref="UsageMeter"/>'s counts to the usage store every <see cref="UsageMeteringOptions.FlushInterval"/>,
/// off the request path, and once more on shutdown (after the server has finished its requests: the web server is the
/// last hosted service to start, so it is the first to stop). Each batch gets its id when it is taken and keeps it
/// until the store has acknowledged it, so a retry after a lost answer is not counted twice; a crash loses at most
/// what was counted since the last flush.
/// </summary>
public sealed partial class UsageFlusher(
    UsageMeter meter,
    IServiceProvider services,
    IOptions<UsageMeteringOptions> options,
    TimeProvider time,
    ILogger<UsageFlusher> logger) : BackgroundService
{
    /// <summary>Counts per batch, well under the store's limit.</summary>
    private const int BatchSize = 2_000;

    // Batches taken but not yet acknowledged, oldest first; only the flush loop touches it.
    private readonly Queue<UsageBatch> _unsent = new();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.FlushInterval, time);
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

        // Shutting down: what was counted since the last tick is sent on the way out, retried until the deadline.
        using var shutdown = new CancellationTokenSource(options.Value.ShutdownFlushTimeout, time);
        while (!await FlushAsync(shutdown.Token) && !shutdown.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(200), time, shutdown.Token);
            }
            catch (OperationCanceledException)
            {
            }
        }

        if (_unsent.Count > 0)
        {
            LogUnsentOnShutdown(logger, _unsent.Sum(b => b.Counts.Count));
        }
    }

    /// <summary>Takes the new counts and sends every unacknowledged batch; true when nothing is left unsent.</summary>
    public async Task<bool> FlushAsync(CancellationToken cancellationToken)
    {
        var counts = meter.TakeCounts(DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime));
        foreach (var chunk in counts.Chunk(BatchSize))
        {
            _unsent.Enqueue(new UsageBatch(Guid.CreateVersion7(), chunk));
        }

        if (_unsent.Count == 0)
        {
            return true;
        }

        var client = services.GetRequiredService<UsageClient>();
        while (_unsent.TryPeek(out var batch))
        {
            try
            {
                await client.SendAsync(batch, cancellationToken);
                _unsent.Dequeue();
            }
            catch (Exception exception) when (exception is HttpRequestException or OperationCanceledException or TimeoutException)
            {
                LogFlushFailed(logger, exception, batch.BatchId, _unsent.Count);
                return false;
            }
        }

        return true;
    }

    [LoggerMessage(LogLevel.Warning, "Sending usage batch {BatchId} failed; it and {Pending} batches in all are kept for the next round")]
    private static partial void LogFlushFailed(ILogger logger, Exception exception, Guid batchId, int pending);

    [LoggerMessage(LogLevel.Error, "Shutting down with {Count} usage counts the store has not acknowledged")]
    private static partial void LogUnsentOnShutdown(ILogger logger, int count);
}
