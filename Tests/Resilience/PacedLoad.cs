using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Headers;
using AlyAspire.Tests.Infrastructure;

namespace AlyAspire.Tests.Resilience;

/// <summary>One request of a paced load: when it started (from the load's start), how long it took, and its answer.</summary>
internal sealed record LoadSample(TimeSpan Started, TimeSpan Latency, int Status, bool HasRetryAfter)
{
    /// <summary>The client gave up (<see cref="PacedLoad.ClientTimeout"/>) or the connection failed: no answer at all.</summary>
    public bool Unanswered => Status == 0;

    public TimeSpan Finished => Started + Latency;

    public override string ToString() => $"{Started.TotalSeconds:F2}s +{Latency.TotalMilliseconds:F0}ms → {(Unanswered ? "no answer" : Status)}";
}

/// <summary>
/// Real agent requests at a steady rate, each timed on its own with a <see cref="Stopwatch"/> and never waited for
/// by the pacer, so a stalled request shows as one long sample instead of slowing the load down.
/// </summary>
internal sealed class PacedLoad : IAsyncDisposable
{
    /// <summary>Far beyond every bound the tests assert, so a hung request is recorded rather than waited for forever.</summary>
    public static readonly TimeSpan ClientTimeout = TimeSpan.FromSeconds(15);

    private readonly HttpClient _client;
    private readonly string _path;
    private readonly TimeSpan _interval;
    private readonly Stopwatch _clock = new();
    private readonly ConcurrentBag<LoadSample> _samples = [];
    private readonly ConcurrentDictionary<int, Task> _inFlight = new();
    private readonly CancellationTokenSource _stop = new();
    private Task _pacer = Task.CompletedTask;

    private PacedLoad(Uri baseAddress, string bearer, string path, int requestsPerSecond)
    {
        _client = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
        {
            BaseAddress = baseAddress,
            Timeout = ClientTimeout,
        };
        _client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        // Its own client address (believed from the test host's loopback proxy), so no other test's per-IP budget is spent.
        _client.DefaultRequestHeaders.Add("X-Forwarded-For", $"198.19.{Random.Shared.Next(0, 256)}.{Random.Shared.Next(1, 255)}");
        _path = path;
        _interval = TimeSpan.FromSeconds(1.0 / requestsPerSecond);
    }

    /// <summary>
    /// Starts the load once its own client has been answered 200 a few times, several at once: its connections are
    /// open and its client address has been seen (the first requests of a new client and address were seen to take
    /// 2.7 s on a loaded machine; the cause was not measured), so the samples measure the fault, not the load's cold start.
    /// </summary>
    public static async Task<PacedLoad> StartAsync(Uri baseAddress, string bearer, string path, int requestsPerSecond)
    {
        var load = new PacedLoad(baseAddress, bearer, path, requestsPerSecond);
        // Until it succeeds: a previous fault's breakers may still be letting their first probes through.
        await Eventually.SucceedsAsync(async () =>
        {
            for (var round = 0; round < 3; round++)
            {
                await Task.WhenAll(Enumerable.Range(0, 4).Select(async _ =>
                {
                    using var response = await load._client.GetAsync(path);
                    response.EnsureSuccessStatusCode();
                }));
            }
        });

        load._clock.Start();
        load._pacer = Task.Run(load.PaceAsync);
        return load;
    }

    /// <summary>Time since the load started, on the samples' clock.</summary>
    public TimeSpan Now => _clock.Elapsed;

    public IReadOnlyList<LoadSample> Samples => _samples.OrderBy(s => s.Started).ToList();

    /// <summary>Stops sending and waits (bounded by the client timeout) for every request still open.</summary>
    public async Task<IReadOnlyList<LoadSample>> StopAsync()
    {
        await _stop.CancelAsync();
        await _pacer;
        await Task.WhenAll(_inFlight.Values).WaitAsync(ClientTimeout + TimeSpan.FromSeconds(10));
        return Samples;
    }

    private async Task PaceAsync()
    {
        using var timer = new PeriodicTimer(_interval);
        var id = 0;
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token))
            {
                var requestId = Interlocked.Increment(ref id);
                _inFlight[requestId] = SendAsync(requestId);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task SendAsync(int requestId)
    {
        var started = _clock.Elapsed;
        var stopwatch = Stopwatch.StartNew();
        try
        {
            using var response = await _client.GetAsync(_path, HttpCompletionOption.ResponseHeadersRead);
            _samples.Add(new LoadSample(started, stopwatch.Elapsed, (int)response.StatusCode, response.Headers.RetryAfter is not null));
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            _samples.Add(new LoadSample(started, stopwatch.Elapsed, 0, false));
        }
        finally
        {
            _inFlight.TryRemove(requestId, out _);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stop.IsCancellationRequested)
        {
            await _stop.CancelAsync();
        }

        try
        {
            await _pacer;
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
        _client.Dispose();
    }
}
