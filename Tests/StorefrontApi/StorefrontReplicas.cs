using System.Net.Http.Headers;
using AlyAspire.Tests.Infrastructure;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;

namespace AlyAspire.Tests.StorefrontApi;

/// <summary>One running StorefrontApi replica: its resource id (for commands such as restart) and its own listening address.</summary>
public sealed record StorefrontReplica(string ResourceId, Uri Address)
{
    /// <summary>A client of this replica alone (not the shared, round-robin endpoint), speaking for its own client address.</summary>
    public HttpClient Client(string bearer)
    {
        var client = new HttpClient { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(60) };
        client.DefaultRequestHeaders.Add("X-Forwarded-For", $"198.20.{Random.Shared.Next(0, 256)}.{Random.Shared.Next(1, 255)}");
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        return client;
    }
}

public static class StorefrontReplicas
{
    /// <summary>
    /// The running StorefrontApi replicas. They share one resource name and one proxied endpoint, but each has its own
    /// snapshot (its own resource id) whose ASPNETCORE_URLS names its own target port.
    /// </summary>
    public static async Task<IReadOnlyList<StorefrontReplica>> RunningAsync(this PlatformFixture platform, int expected = 2)
    {
        // A replica restarted a moment ago can still be known by its old snapshot: an address is taken only once it answers.
        var deadline = DateTime.UtcNow.AddSeconds(90);
        using var probe = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        while (true)
        {
            var candidates = await SnapshotAsync(platform, expected);
            var answering = 0;
            foreach (var replica in candidates)
            {
                try
                {
                    answering += (await probe.GetAsync(new Uri(replica.Address, "/health"))).IsSuccessStatusCode ? 1 : 0;
                }
                catch (HttpRequestException)
                {
                }
                catch (TaskCanceledException)
                {
                }
            }

            if (answering == expected)
            {
                return candidates;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException($"Only {answering} of {expected} StorefrontApi replicas answer at {string.Join(", ", candidates.Select(c => c.Address))}.");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(500)); // polling the resource model: nothing to wait on instead
        }
    }

    private static async Task<IReadOnlyList<StorefrontReplica>> SnapshotAsync(PlatformFixture platform, int expected)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var latest = new Dictionary<string, CustomResourceSnapshot>();
        await foreach (var notification in platform.App.ResourceNotifications.WatchAsync(cts.Token))
        {
            if (notification.Resource.Name != "storefrontapi")
            {
                continue;
            }

            latest[notification.ResourceId] = notification.Snapshot;
            var running = latest.Where(s => s.Value.State?.Text == KnownResourceStates.Running && ListeningAddress(s.Value) is not null).ToList();
            if (running.Count == expected)
            {
                return running.Select(s => new StorefrontReplica(s.Key, ListeningAddress(s.Value)!)).OrderBy(r => r.Address.Port).ToList();
            }
        }

        throw new InvalidOperationException($"{expected} StorefrontApi replicas never all reported a listening address.");
    }

    private static Uri? ListeningAddress(CustomResourceSnapshot snapshot)
    {
        var urls = snapshot.EnvironmentVariables.FirstOrDefault(v => v.Name == "ASPNETCORE_URLS")?.Value;
        var http = urls?.Split(';').FirstOrDefault(u => u.StartsWith("http://", StringComparison.Ordinal));
        return http is null ? null : new Uri(http);
    }
}
