namespace AlyAspire.Shared.Resilience;

/// <summary>
/// A token cancelled on a thread of its own when <c>source</c> is, whichever thread cancelled <c>source</c>.
/// </summary>
/// <remarks>
/// Npgsql answers a cancelled command by sending PostgreSQL a cancel request on a new connection and waiting for the
/// server to close it, synchronously, in the thread that cancelled the token. A deadline (Polly's timeout, a health
/// check's) is cancelled by a timer, so with PostgreSQL stalled that wait ran on a timer thread: every timer of the
/// process (other deadlines, Kestrel's, the health checks') stood still behind it, and the whole service stopped
/// answering for seconds. Relayed to a pool thread, a stall's burst of cancellations (one per command in flight, each
/// waiting up to 2 s) held most of the pool, and the requests answered at their deadline waited for a thread to write
/// their 503 (seen: 2.1 s instead of 1.5 s). So each cancellation gets a thread of its own, outside the pool.
/// </remarks>
public sealed class DedicatedThreadCancellation : IDisposable
{
    private readonly CancellationTokenSource _relay = new();
    private readonly CancellationTokenRegistration _registration;

    public DedicatedThreadCancellation(CancellationToken source)
    {
        _registration = source.UnsafeRegister(
            static state => Task.Factory.StartNew(
                static relay => ((DedicatedThreadCancellation)relay!).TryCancel(), state, CancellationToken.None,
                TaskCreationOptions.LongRunning | TaskCreationOptions.DenyChildAttach, TaskScheduler.Default),
            this);
    }

    public CancellationToken Token => _relay.Token;

    /// <summary>Runs <paramref name="operation"/> with a token cancelled on a thread of its own when <paramref name="cancellationToken"/> is.</summary>
    public static async Task<T> RunAsync<TState, T>(Func<TState, CancellationToken, Task<T>> operation, TState state, CancellationToken cancellationToken)
    {
        if (!cancellationToken.CanBeCanceled)
        {
            return await operation(state, cancellationToken);
        }

        using var relay = new DedicatedThreadCancellation(cancellationToken);
        return await operation(state, relay.Token);
    }

    private void TryCancel()
    {
        try
        {
            _relay.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The operation finished before the relay ran: nothing left to cancel.
        }
    }

    public void Dispose()
    {
        _registration.Dispose();
        _relay.Dispose();
    }
}
