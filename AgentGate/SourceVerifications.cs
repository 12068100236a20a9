using System.Collections.Concurrent;

namespace AlyAspire.AgentGate;

/// <summary>
/// The verifications at a credential's source (KeyService, the AuthServer's introspection) under way in this process,
/// by the credential's cache key: concurrent requests with one credential the cache does not hold share one call.
/// The first requests of a fresh credential arrive together (an agent's burst, a benchmark's first second), and fifty
/// calls at once had outrun the request-path deadline on a loaded machine.
/// </summary>
/// <remarks>
/// A request that joins a call under way cannot know whether it began before a revocation that has returned since, so
/// a valid answer it joined is confirmed against the credential's revocation markers (written before a revocation
/// returns), as a cached verification is.
/// </remarks>
public sealed class SourceVerifications<TAnswer>
{
    private readonly ConcurrentDictionary<string, Task<TAnswer>> _calls = new(StringComparer.Ordinal);

    /// <summary>
    /// The call under way for <paramref name="cacheKey"/> (<paramref name="joined"/>), or <paramref name="call"/> started
    /// now. It runs without any caller's cancellation, since others may wait for it: its client's deadline bounds it.
    /// </summary>
    public Task<TAnswer> Share(string cacheKey, Func<Task<TAnswer>> call, out bool joined)
    {
        while (true)
        {
            if (_calls.TryGetValue(cacheKey, out var running))
            {
                joined = true;
                return running;
            }

            var started = new TaskCompletionSource<TAnswer>(TaskCreationOptions.RunContinuationsAsynchronously);
            if (_calls.TryAdd(cacheKey, started.Task))
            {
                joined = false;
                _ = RunAsync(cacheKey, call, started);
                return started.Task;
            }
        }
    }

    private async Task RunAsync(string cacheKey, Func<Task<TAnswer>> call, TaskCompletionSource<TAnswer> started)
    {
        try
        {
            var answer = await call();
            _calls.TryRemove(KeyValuePair.Create(cacheKey, started.Task));
            started.SetResult(answer);
        }
        catch (Exception ex)
        {
            _calls.TryRemove(KeyValuePair.Create(cacheKey, started.Task));
            started.SetException(ex);
        }
    }
}
