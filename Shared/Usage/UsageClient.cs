using System.Net.Http.Json;
using AlyAspire.Shared.Internal;
using Microsoft.Extensions.DependencyInjection;

namespace AlyAspire.Shared.Usage;

/// <summary>The usage store's client (<c>http://keyservice</c>, with the service credential): the agent surfaces write batches, the dashboard and the agent API read reports.</summary>
public sealed class UsageClient(HttpClient http)
{
    /// <exception cref="HttpRequestException">The store could not be reached or refused the batch; the batch is to be retried with the same id.</exception>
    public async Task<UsageBatchReceipt> SendAsync(UsageBatch batch, CancellationToken ct)
    {
        using var response = await http.PostAsJsonAsync(UsageRoutes.Batches, batch, ct);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<UsageBatchReceipt>(ct))!;
    }

    /// <summary>The workspace's usage over the last <paramref name="days"/> UTC days (today included), optionally of one credential.</summary>
    /// <exception cref="HttpRequestException">The store could not be reached or refused the read.</exception>
    public async Task<WorkspaceUsageReport> GetAsync(Guid workspaceId, int days, string? credentialKind = null, string? credentialId = null, CancellationToken ct = default)
    {
        var query = $"?days={days}";
        if (credentialKind is not null && credentialId is not null)
        {
            query += $"&credentialKind={Uri.EscapeDataString(credentialKind)}&credentialId={Uri.EscapeDataString(credentialId)}";
        }

        using var response = await http.GetAsync(UsageRoutes.Workspace(workspaceId) + query, ct);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<WorkspaceUsageReport>(ct))!;
    }
}

public static class UsageClientExtensions
{
    public static IHttpClientBuilder AddUsageClient(this IServiceCollection services) =>
        services.AddHttpClient<UsageClient>(client => client.BaseAddress = new Uri("http://keyservice"))
            .AddInternalServiceCredential(PlatformServices.KeyService);
}
