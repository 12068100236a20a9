using System.Data.Common;
using System.Runtime.CompilerServices;
using Polly.Timeout;

namespace AlyAspire.Shared.Resilience;

/// <summary>
/// Lets a request stop waiting for a PostgreSQL command, or a connection's opening, at its deadline, instead of when
/// the driver has given it up.
/// </summary>
/// <remarks>
/// Npgsql gives up a cancelled command only once its cancel request to the server has been answered or has timed out,
/// and a stalled server answers nothing: that took up to the connect timeout (2 s) after the deadline, so a request
/// open when PostgreSQL stalled answered its 503 after 3.5 s instead of 1.5 s. Now the request is answered at the
/// deadline and the work runs on, cancelled, in the background, holding its connection. Npgsql's connections are not
/// thread-safe and closing one mid-command would return a busy connector to the pool, so until the work has ended
/// the connection is busy: commands and openings on it are refused at once as unavailable, and closing or disposing it
/// is deferred to the moment the work ends (<see cref="DeferringNpgsqlRelationalConnection"/>). A command in a
/// transaction is not abandoned (see <c>abandonable</c>).
/// The contexts this serves must not be pooled (<see cref="ResilientStoreExtensions"/>): a pooled context would hand
/// the busy connection to the next request.
/// </remarks>
public static class AbandonedConnectionWork
{
    private static readonly ConditionalWeakTable<DbConnection, Work> Running = new();

    /// <summary>
    /// Runs <paramref name="operation"/> on <paramref name="connection"/> with a token cancelled (on a thread of its own,
    /// see <see cref="DedicatedThreadCancellation"/>) when <paramref name="deadline"/> is; if the deadline comes first and the
    /// operation may be <paramref name="abandonable"/>, throws at once and leaves the operation to end in the background.
    /// </summary>
    /// <param name="abandonable">
    /// False for a command in a transaction: disposing the transaction (the caller's <c>using</c>) would read the
    /// connection under the running command, so such a command is waited for, as the driver gives it up.
    /// </param>
    public static async Task<T> RunAsync<TState, T>(
        DbConnection connection, Func<TState, CancellationToken, Task<T>> operation, TState state, CancellationToken deadline,
        bool abandonable = true)
    {
        ThrowIfBusy(connection);
        if (!deadline.CanBeCanceled)
        {
            return await operation(state, deadline);
        }

        if (!abandonable)
        {
            return await DedicatedThreadCancellation.RunAsync(operation, state, deadline);
        }

        var relay = new DedicatedThreadCancellation(deadline);
        Task<T> work;
        try
        {
            work = operation(state, relay.Token);
        }
        catch
        {
            relay.Dispose();
            throw;
        }

        try
        {
            var result = await work.WaitAsync(deadline);
            relay.Dispose();
            return result;
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            // The deadline's own cancellation: the caller (Polly's timeout) turns it into its refusal.
            Abandon(connection, work, relay);
            throw;
        }
        catch
        {
            relay.Dispose();
            throw;
        }
    }

    /// <summary>
    /// <see cref="RunAsync"/> for a command on its connection: abandonable unless it is part of a transaction.
    /// </summary>
    public static Task<T> RunCommandAsync<T>(DbCommand command, Func<DbCommand, CancellationToken, Task<T>> operation, CancellationToken deadline) =>
        RunAsync(command.Connection!, operation, command, deadline, abandonable: command.Transaction is null);

    /// <summary>Refuses, as unavailable, any use of a connection whose abandoned work has not ended.</summary>
    public static void ThrowIfBusy(DbConnection connection)
    {
        if (IsBusy(connection))
        {
            throw new TimeoutRejectedException("The connection's previous command is still being cancelled.");
        }
    }

    private static bool IsBusy(DbConnection connection) =>
        Running.TryGetValue(connection, out var work) && !work.HasEnded;

    /// <summary>
    /// Defers closing (or disposing) <paramref name="connection"/> until its abandoned work has ended; false when
    /// nothing is running on it, and the caller should go on and close it.
    /// </summary>
    public static bool TryDeferClose(DbConnection connection, bool dispose) =>
        Running.TryGetValue(connection, out var work) && work.TryDeferClose(dispose);

    private static void Abandon<T>(DbConnection connection, Task<T> operation, DedicatedThreadCancellation relay)
    {
        var work = new Work();
        Running.AddOrUpdate(connection, work);
        _ = EndAsync(connection, work, operation, relay);
    }

    private static async Task EndAsync<T>(DbConnection connection, Work work, Task<T> operation, DedicatedThreadCancellation relay)
    {
        try
        {
            // A reader that came back after all holds the connection until it is disposed.
            if (await operation is IAsyncDisposable result)
            {
                await result.DisposeAsync();
            }
        }
        catch
        {
            // The request was answered at its deadline; what the cancelled work raised has nobody left to go to.
        }
        finally
        {
            relay.Dispose();
            // The entry stays (it dies with the connection): removing it could remove a later one's.
            await work.EndAsync(connection);
        }
    }

    private sealed class Work
    {
        private readonly Lock _gate = new();
        private bool _ended;
        private bool _closeDeferred;
        private bool _disposeDeferred;

        public bool HasEnded
        {
            get
            {
                lock (_gate)
                {
                    return _ended;
                }
            }
        }

        public bool TryDeferClose(bool dispose)
        {
            lock (_gate)
            {
                if (_ended)
                {
                    return false;
                }

                _closeDeferred = true;
                _disposeDeferred |= dispose;
                return true;
            }
        }

        /// <summary>
        /// Carries out the closes deferred until now, then marks the work ended, atomically with finding none left:
        /// a close asked for meanwhile either deferred itself (and is carried out by the next turn) or finds the work
        /// ended and closes the connection itself.
        /// </summary>
        public async Task EndAsync(DbConnection connection)
        {
            while (true)
            {
                bool close, dispose;
                lock (_gate)
                {
                    (close, dispose) = (_closeDeferred, _disposeDeferred);
                    (_closeDeferred, _disposeDeferred) = (false, false);
                    if (!close)
                    {
                        _ended = true;
                        return;
                    }
                }

                try
                {
                    await (dispose ? connection.DisposeAsync() : new ValueTask(connection.CloseAsync()));
                }
                catch
                {
                    // A broken connection may refuse to close cleanly; it is discarded either way.
                }
            }
        }
    }
}
