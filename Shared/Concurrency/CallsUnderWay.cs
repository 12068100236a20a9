using System.Collections.Concurrent;

namespace AlyAspire.Shared.Concurrency;

/// <summary>
/// Calls under way by key, each shared by every caller that asks for the same key while it runs: a burst of requests
/// needing the same remote answer makes one call. A call leaves the map by itself when it ends, whoever waits for it,
/// and runs without any caller's cancellation (others may wait for it), so it must be bounded by a deadline of its own.
/// </summary>
public sealed class CallsUnderWay<TResult>
{
    private readonly ConcurrentDictionary<string, Task<TResult>> _calls = new(StringComparer.Ordinal);

    /// <summary>The call under way for <paramref name="key"/> (<paramref name="joined"/>), or <paramref name="call"/> started now.</summary>
    public Task<TResult> Join(string key, Func<Task<TResult>> call, out bool joined)
    {
        while (true)
        {
            if (_calls.TryGetValue(key, out var running))
            {
                joined = true;
                return running;
            }

            var started = new TaskCompletionSource<TResult>(TaskCreationOptions.RunContinuationsAsynchronously);
            if (_calls.TryAdd(key, started.Task))
            {
                joined = false;
                _ = RunAsync(key, call, started);
                return started.Task;
            }
        }
    }

    public bool IsUnderWay(string key) => _calls.ContainsKey(key);

    /// <summary>The next caller for <paramref name="key"/> starts a call of its own; those waiting get the one under way.</summary>
    public void Abandon(string key) => _calls.TryRemove(key, out _);

    private async Task RunAsync(string key, Func<Task<TResult>> call, TaskCompletionSource<TResult> started)
    {
        try
        {
            var result = await call();
            _calls.TryRemove(KeyValuePair.Create(key, started.Task));
            started.SetResult(result);
        }
        catch (Exception ex)
        {
            _calls.TryRemove(KeyValuePair.Create(key, started.Task));
            started.SetException(ex);
        }
    }
}
