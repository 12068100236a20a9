using System.Net.Http.Json;
using AlyAspire.Shared.Internal;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;

namespace AlyAspire.Shared.Audit;

/// <summary>The AuthServer's audit-log client (service credential): deliver an event, read a workspace's log.</summary>
public sealed class AuditClient(HttpClient http)
{
    /// <exception cref="HttpRequestException">Not delivered (the caller retries).</exception>
    public async Task SubmitAsync(Guid workspaceId, AuditEventSubmission submission, CancellationToken ct = default)
    {
        using var response = await http.PostAsJsonAsync(AuditRoutes.Events(workspaceId), submission, ct);
        response.EnsureSuccessStatusCode();
    }

    /// <returns>The page, or the AuthServer's response when it refused the query (a 400 with its problem).</returns>
    public async Task<(AuditEventPage? Page, HttpResponseMessage? Refusal)> ListAsync(
        Guid workspaceId, string? kind, DateTimeOffset? from, DateTimeOffset? to, int page, int pageSize, CancellationToken ct = default)
    {
        var query = new Dictionary<string, string?> { ["page"] = page.ToString(System.Globalization.CultureInfo.InvariantCulture), ["pageSize"] = pageSize.ToString(System.Globalization.CultureInfo.InvariantCulture) };
        if (!string.IsNullOrWhiteSpace(kind))
        {
            query["kind"] = kind;
        }

        if (from is { } f)
        {
            query["from"] = f.ToString("O");
        }

        if (to is { } t)
        {
            query["to"] = t.ToString("O");
        }

        var response = await http.GetAsync(QueryHelpers.AddQueryString(AuditRoutes.Events(workspaceId), query), ct);
        if ((int)response.StatusCode is >= 400 and < 500)
        {
            return (null, response);
        }

        using (response)
        {
            response.EnsureSuccessStatusCode();
            return ((await response.Content.ReadFromJsonAsync<AuditEventPage>(ct))!, null);
        }
    }
}

public static class AuditClientExtensions
{
    /// <summary>Registers <see cref="AuditClient"/> against <c>http://authserver</c> (service discovery) with the service credential.</summary>
    public static IHttpClientBuilder AddAuditClient(this IServiceCollection services) =>
        services.AddHttpClient<AuditClient>(client => client.BaseAddress = new Uri("http://authserver"))
            .AddInternalServiceCredential(PlatformServices.AuthServer);
}
