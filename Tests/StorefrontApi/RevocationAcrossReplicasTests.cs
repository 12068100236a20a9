using System.Net;
using System.Net.Http.Headers;
using AlyAspire.Shared.ApiKeys;
using AlyAspire.Shared.Scopes;
using AlyAspire.Tests.Infrastructure;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;

namespace AlyAspire.Tests.StorefrontApi;

/// <summary>
/// The KeyService's promise, kept by the StorefrontApi: once a revoke call has returned, the key fails on its very
/// next call on every replica, even on replicas that verified (and cached) it a moment before.
/// </summary>
[Collection(PlatformCollection.Name)]
public sealed class RevocationAcrossReplicasTests(PlatformFixture platform)
{
    private const int Trials = 1_000;

    // Modest, so the trials stay a few minutes on the shared 2-core machine; still, revokes and calls of different
    // trials interleave, as they would in production.
    private const int Parallelism = 8;

    private const string OrdersPath = StorefrontAgents.MerchantPath + "/orders";


    private sealed record TrialOutcome(int Trial, HttpStatusCode BeforeA, HttpStatusCode BeforeB, HttpStatusCode AfterA, HttpStatusCode AfterB);

    [Fact]
    public async Task A_key_cached_on_both_replicas_fails_on_both_right_after_its_revoke_returns_in_1000_trials()
    {
        // Each replica addressed on its own port, not through the shared proxy, whose round robin would leave it to
        // chance which replica holds the cached key and which one answers after the revoke.
        var replicas = await ReplicaAddressesAsync();
        Assert.Equal(2, replicas.Count);
        Assert.NotEqual(replicas[0], replicas[1]);
        using var replicaA = new HttpClient { BaseAddress = replicas[0], Timeout = TimeSpan.FromSeconds(60) };
        using var replicaB = new HttpClient { BaseAddress = replicas[1], Timeout = TimeSpan.FromSeconds(60) };

        // A workspace of its own with a generous budget: 4,000 storefront calls must meet no workspace limit.
        var workspace = Guid.NewGuid();
        await platform.RaiseLimitsAsync(workspace);
        var owner = TestActors.Owner(workspace);
        var keys = await platform.ApiKeyClientAsync();
        var minted = new ApiKeyWithSecret[Trials];
        await Parallel.ForAsync(0, Trials, new ParallelOptions { MaxDegreeOfParallelism = Parallelism }, async (trial, ct) =>
            minted[trial] = await keys.CreateAsync(workspace, new CreateApiKeyRequest($"revocation trial {trial}", [ScopeCatalogue.ReadOrders], null), owner, ct));

        var outcomes = new TrialOutcome[Trials];
        await Parallel.ForAsync(0, Trials, new ParallelOptions { MaxDegreeOfParallelism = Parallelism }, async (trial, ct) =>
        {
            // One client address per trial (believed from the loopback proxy), so the per-IP limit never refuses a call.
            var clientAddress = $"198.19.{trial / 250}.{trial % 250 + 1}";
            var secret = minted[trial].Secret;

            var beforeA = await GetOrdersAsync(replicaA, secret, clientAddress, ct);
            var beforeB = await GetOrdersAsync(replicaB, secret, clientAddress, ct);
            await keys.RevokeAsync(workspace, minted[trial].Key.Id, owner, ct);
            var afterA = await GetOrdersAsync(replicaA, secret, clientAddress, ct);
            var afterB = await GetOrdersAsync(replicaB, secret, clientAddress, ct);

            outcomes[trial] = new TrialOutcome(trial, beforeA, beforeB, afterA, afterB);
        });

        var notCachedOnBoth = outcomes.Where(o => o.BeforeA != HttpStatusCode.OK || o.BeforeB != HttpStatusCode.OK).ToList();
        Assert.True(notCachedOnBoth.Count == 0,
            $"{notCachedOnBoth.Count} trials had a refused call before the revoke, e.g. {string.Join("; ", notCachedOnBoth.Take(5))}");

        var successesAfterRevoke = outcomes.Sum(o => (IsSuccess(o.AfterA) ? 1 : 0) + (IsSuccess(o.AfterB) ? 1 : 0));
        Assert.True(successesAfterRevoke == 0,
            $"{successesAfterRevoke} calls succeeded after their key's revoke had returned, e.g. " +
            string.Join("; ", outcomes.Where(o => IsSuccess(o.AfterA) || IsSuccess(o.AfterB)).Take(5)));

        // Refused as a revoked credential is refused (401), not by accident (429, 5xx).
        var notUnauthorized = outcomes.Where(o => o.AfterA != HttpStatusCode.Unauthorized || o.AfterB != HttpStatusCode.Unauthorized).ToList();
        Assert.True(notUnauthorized.Count == 0,
            $"{notUnauthorized.Count} trials were not answered 401 after the revoke, e.g. {string.Join("; ", notUnauthorized.Take(5))}");
    }

    private static bool IsSuccess(HttpStatusCode status) => (int)status is >= 200 and < 300;

    private static async Task<HttpStatusCode> GetOrdersAsync(HttpClient replica, string secret, string clientAddress, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, OrdersPath);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", secret);
        request.Headers.Add("X-Forwarded-For", clientAddress);
        using var response = await replica.SendAsync(request, ct);
        return response.StatusCode;
    }

    /// <summary>
    /// Each running StorefrontApi replica's own listening address. The replicas share one resource name and one proxied
    /// endpoint, but each has its own snapshot (its own resource id) whose ASPNETCORE_URLS names its own target port.
    /// </summary>
    private async Task<IReadOnlyList<Uri>> ReplicaAddressesAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var latest = new Dictionary<string, CustomResourceSnapshot>();
        await foreach (var notification in platform.App.ResourceNotifications.WatchAsync(cts.Token))
        {
            if (notification.Resource.Name != "storefrontapi")
            {
                continue;
            }

            latest[notification.ResourceId] = notification.Snapshot;
            var running = latest.Values.Where(s => s.State?.Text == KnownResourceStates.Running).ToList();
            if (running.Count == 2 && running.All(s => ListeningAddress(s) is not null))
            {
                return running.Select(s => ListeningAddress(s)!).OrderBy(u => u.Port).ToList();
            }
        }

        throw new InvalidOperationException("The two StorefrontApi replicas never both reported a listening address.");
    }

    private static Uri? ListeningAddress(CustomResourceSnapshot snapshot)
    {
        var urls = snapshot.EnvironmentVariables.FirstOrDefault(v => v.Name == "ASPNETCORE_URLS")?.Value;
        var http = urls?.Split(';').FirstOrDefault(u => u.StartsWith("http://", StringComparison.Ordinal));
        return http is null ? null : new Uri(http);
    }
}
