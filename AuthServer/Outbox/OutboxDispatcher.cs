using AlyAspire.AuthServer.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace AlyAspire.AuthServer.Outbox;

/// <summary>Outbox delivery settings (section <c>Outbox</c>).</summary>
public sealed class OutboxOptions
{
    public const string Section = "Outbox";

    /// <summary>How often due messages are looked for when nobody asked for a delivery.</summary>
    [System.ComponentModel.DataAnnotations.Range(typeof(TimeSpan), "00:00:00.100", "00:01:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest wait between two attempts at one message (the wait doubles from one second up to this).</summary>
    [System.ComponentModel.DataAnnotations.Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long one delivery may take before it counts as failed.</summary>
    [System.ComponentModel.DataAnnotations.Range(typeof(TimeSpan), "00:00:01", "00:05:00")]
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(20);
}

/// <summary>
/// Delivers committed outbox messages with retries: due rows are claimed with <c>FOR UPDATE SKIP LOCKED</c>, so
/// several AuthServer instances share the work and never deliver one message at the same time. A failure leaves
/// the message due again after a growing delay; nothing is dropped.
/// </summary>
public sealed partial class OutboxDispatcher(
    IServiceScopeFactory scopes,
    IEnumerable<IOutboxHandler> handlers,
    IOptions<OutboxOptions> options,
    TimeProvider time,
    ILogger<OutboxDispatcher> logger) : BackgroundService
{
    private const int BatchSize = 20;
    private readonly Dictionary<string, IOutboxHandler> _handlers = handlers.ToDictionary(h => h.Kind, StringComparer.Ordinal);
    private readonly SemaphoreSlim _wake = new(0);

    /// <summary>Asks the background loop to look for due messages now instead of at its next poll.</summary>
    public void Wake()
    {
        if (_wake.CurrentCount == 0)
        {
            _wake.Release();
        }
    }

    /// <summary>
    /// Tries to deliver the given messages now, waiting at most <paramref name="wait"/>; what is not delivered by
    /// then stays due and the background loop retries it. True when every one was delivered.
    /// </summary>
    public async Task<bool> DeliverNowAsync(IReadOnlyCollection<Guid> ids, TimeSpan wait, CancellationToken cancellationToken)
    {
        if (ids.Count == 0)
        {
            return true;
        }

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(wait);
        try
        {
            var delivered = await DeliverAsync(ids, deadline.Token) == ids.Count;
            if (!delivered)
            {
                Wake();
            }

            return delivered;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // The wait ended before the rows could even be claimed: the background loop delivers them.
            Wake();
            return false;
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                while (await DeliverAsync(ids: null, stoppingToken) == BatchSize)
                {
                }
            }
            catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
            {
                // The database is away (or restarting): the messages are still there, the next round tries again.
                LogRoundFailed(logger, exception.GetType().Name);
            }

            try
            {
                await _wake.WaitAsync(options.Value.PollInterval, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <returns>How many messages were delivered.</returns>
    private async Task<int> DeliverAsync(IReadOnlyCollection<Guid>? ids, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AuthDbContext>();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var now = time.GetUtcNow();
        var claimed = ids is null
            ? await db.OutboxMessages.FromSql($"""
                SELECT * FROM outbox_messages WHERE "DeliveredAt" IS NULL AND "NextAttemptAt" <= {now}
                ORDER BY "NextAttemptAt" LIMIT {BatchSize} FOR UPDATE SKIP LOCKED
                """).ToListAsync(cancellationToken)
            : await db.OutboxMessages.FromSql($"""
                SELECT * FROM outbox_messages WHERE "DeliveredAt" IS NULL AND "Id" = ANY({ids.ToArray()})
                FOR UPDATE SKIP LOCKED
                """).ToListAsync(cancellationToken);

        var delivered = 0;
        foreach (var message in claimed)
        {
            if (cancellationToken.IsCancellationRequested)
            {
                break;
            }

            if (await TryDeliverAsync(message, cancellationToken))
            {
                delivered++;
            }
        }

        // Bookkeeping must land even when the caller's wait is over: a delivered message must not be sent again.
        await db.SaveChangesAsync(CancellationToken.None);
        await transaction.CommitAsync(CancellationToken.None);
        return delivered;
    }

    private async Task<bool> TryDeliverAsync(OutboxMessage message, CancellationToken cancellationToken)
    {
        message.Attempts++;
        if (!_handlers.TryGetValue(message.Kind, out var handler))
        {
            Fail(message, $"No handler for the kind '{message.Kind}'.");
            return false;
        }

        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        attempt.CancelAfter(options.Value.AttemptTimeout);
        try
        {
            await handler.DeliverAsync(message.Payload, attempt.Token);
            message.DeliveredAt = time.GetUtcNow();
            message.LastError = null;
            if (handler.ErasesPayloadOnDelivery)
            {
                message.Payload = string.Empty;
            }

            return true;
        }
        catch (Exception exception)
        {
            // Only the exception's type and message: a payload (a mail with a link) never reaches the log or the row.
            Fail(message, $"{exception.GetType().Name}: {exception.Message}");
            LogAttemptFailed(logger, message.Kind, message.Id, message.Attempts, exception.GetType().Name);
            return false;
        }
    }

    private void Fail(OutboxMessage message, string error)
    {
        var delay = TimeSpan.FromSeconds(Math.Pow(2, Math.Min(message.Attempts - 1, 16)));
        message.NextAttemptAt = time.GetUtcNow() + (delay < options.Value.MaxRetryDelay ? delay : options.Value.MaxRetryDelay);
        message.LastError = error.Length > 500 ? error[..500] : error;
    }

    [LoggerMessage(LogLevel.Warning, "Outbox delivery of {Kind} message {MessageId} failed (attempt {Attempts}, {ErrorType}); it will be retried")]
    private static partial void LogAttemptFailed(ILogger logger, string kind, Guid messageId, int attempts, string errorType);

    [LoggerMessage(LogLevel.Warning, "An outbox delivery round failed ({ErrorType}); the next round retries")]
    private static partial void LogRoundFailed(ILogger logger, string errorType);
}
