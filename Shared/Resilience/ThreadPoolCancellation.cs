namespace AlyAspire.Shared.Resilience;

/// <summary>
/// A token that is cancelled from the thread pool when <c>source</c> is, whichever thread cancelled <c>source</c>.
/// </summary>
/// <remarks>
/// Npgsql answers a cancelled command by sending PostgreSQL a cancel request on a new connection and waiting for the
/// server to close it, synchronously, in the thread that cancelled the token. A deadline (Polly's timeout, a health
/// check's) is cancelled by a timer, so with PostgreSQL stalled that wait ran on a timer thread: every timer of the
/// process (other deadlines, Kestrel's, the health checks') stood still behind it, and the whole service stopped
/// answering for seconds. Relayed, the wait costs one pool thread and nothing else.
/// </remarks>
public sealed class ThreadPoolCancellation : IDisposable
{
    private readonly CancellationTokenSource _relay = new();
    private readonly CancellationTokenRegistration _registration;

    public ThreadPoolCancellation(CancellationToken source)
    {
        _registration = source.UnsafeRegister(
            static state => ThreadPool.UnsafeQueueUserWorkItem(static relay => relay.TryCancel(), (ThreadPoolCancellation)state!, preferLocal: false),
            this);
    }

    public CancellationToken Token => _relay.Token;

    /// <summary>Runs <paramref name="operation"/> with a token cancelled from the pool when <paramref name="cancellationToken"/> is.</summary>
    public static async Task<T> RunAsync<TState, T>(Func<TState, CancellationToken, Task<T>> operation, TState state, CancellationToken cancellationToken)
    {
        if (!cancellationToken.CanBeCanceled)
        {
            return await operation(state, cancellationToken);
        }

        using var relay = new ThreadPoolCancellation(cancellationToken);
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
