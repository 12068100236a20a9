using System.Net;
using System.Net.Http.Json;
using AlyAspire.Shared.Internal;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;

namespace AlyAspire.Shared.ApiKeys;

/// <summary>
/// The KeyService's management client for the dashboard and StorefrontApi. Carries the service credential;
/// a refusal comes back as <see cref="ApiKeyServiceException"/> with the service's RFC 9457 problem.
/// </summary>
public sealed class ApiKeyClient(HttpClient http)
{
    public async Task<IReadOnlyList<ApiKeySummary>> ListAsync(Guid workspaceId, ApiKeyActor actor, CancellationToken ct = default)
        => await SendAsync<IReadOnlyList<ApiKeySummary>>(HttpMethod.Get, ApiKeyRoutes.Keys(workspaceId), actor, null, ct);

    public async Task<ApiKeySummary> GetAsync(Guid workspaceId, Guid keyId, ApiKeyActor actor, CancellationToken ct = default)
        => await SendAsync<ApiKeySummary>(HttpMethod.Get, ApiKeyRoutes.Key(workspaceId, keyId), actor, null, ct);

    public async Task<ApiKeyWithSecret> CreateAsync(Guid workspaceId, CreateApiKeyRequest request, ApiKeyActor actor, CancellationToken ct = default)
        => await SendAsync<ApiKeyWithSecret>(HttpMethod.Post, ApiKeyRoutes.Keys(workspaceId), actor, JsonContent.Create(request), ct);

    public async Task<ApiKeySummary> RevokeAsync(Guid workspaceId, Guid keyId, ApiKeyActor actor, CancellationToken ct = default)
        => await SendAsync<ApiKeySummary>(HttpMethod.Post, ApiKeyRoutes.Revoke(workspaceId, keyId), actor, null, ct);

    public async Task<ApiKeyWithSecret> RollAsync(Guid workspaceId, Guid keyId, RollApiKeyRequest request, ApiKeyActor actor, CancellationToken ct = default)
        => await SendAsync<ApiKeyWithSecret>(HttpMethod.Post, ApiKeyRoutes.Roll(workspaceId, keyId), actor, JsonContent.Create(request), ct);

    /// <summary>Revokes the keys minted under an OAuth grant; idempotent.</summary>
    public async Task<BulkRevocationResult> RevokeKeysOfAuthorizationAsync(string authorizationId, CancellationToken ct = default)
    {
        using var response = await http.PostAsync(ApiKeyRoutes.RevokeKeysOfAuthorization(authorizationId), null, ct);
        await EnsureSuccessAsync(response, ct);
        return (await response.Content.ReadFromJsonAsync<BulkRevocationResult>(ct))!;
    }

    /// <summary>Revokes the keys agents minted on behalf of a person in a workspace (they left it); idempotent.</summary>
    public async Task<BulkRevocationResult> RevokeKeysOnBehalfOfAsync(Guid workspaceId, Guid userId, CancellationToken ct = default)
    {
        using var response = await http.PostAsync(ApiKeyRoutes.RevokeKeysOnBehalfOf(workspaceId, userId), null, ct);
        await EnsureSuccessAsync(response, ct);
        return (await response.Content.ReadFromJsonAsync<BulkRevocationResult>(ct))!;
    }

    public async Task<VerifyApiKeyResponse> VerifyAsync(string key, CancellationToken ct = default)
    {
        // The secret travels in the body, never in a URL.
        using var response = await http.PostAsJsonAsync(ApiKeyRoutes.Verify, new VerifyApiKeyRequest(key), ct);
        await EnsureSuccessAsync(response, ct);
        return (await response.Content.ReadFromJsonAsync<VerifyApiKeyResponse>(ct))!;
    }

    private async Task<T> SendAsync<T>(HttpMethod method, string path, ApiKeyActor actor, HttpContent? content, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(method, path) { Content = content };
        if (actor.Assertion is not null)
        {
            request.Headers.TryAddWithoutValidation(ApiKeyHeaders.ActorAssertion, actor.Assertion);
        }

        if (actor.Credential is not null)
        {
            request.Headers.TryAddWithoutValidation(ApiKeyHeaders.ActorCredential, actor.Credential);
        }

        if (actor.SourceIp is not null)
        {
            request.Headers.Add(ApiKeyHeaders.ActorIp, actor.SourceIp);
        }

        using var response = await http.SendAsync(request, ct);
        await EnsureSuccessAsync(response, ct);
        return (await response.Content.ReadFromJsonAsync<T>(ct))!;
    }

    private static async Task EnsureSuccessAsync(HttpResponseMessage response, CancellationToken ct)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        ProblemDetails? problem = null;
        if (response.Content.Headers.ContentType?.MediaType is "application/problem+json" or "application/json")
        {
            // A validation problem keeps its field errors (callers show them per field); any other stays a plain problem.
            var read = await response.Content.ReadFromJsonAsync<ValidationProblemDetails>(ct);
            problem = read is null or { Errors.Count: > 0 } ? read : PlainProblem(read);
        }

        throw new ApiKeyServiceException(response.StatusCode, problem ?? new ProblemDetails
        {
            Status = (int)response.StatusCode,
            Title = "The key service refused the request.",
        });
    }

    private static ProblemDetails PlainProblem(ProblemDetails read)
    {
        var plain = new ProblemDetails { Type = read.Type, Title = read.Title, Status = read.Status, Detail = read.Detail, Instance = read.Instance };
        foreach (var (name, value) in read.Extensions)
        {
            plain.Extensions[name] = value;
        }

        return plain;
    }
}

/// <summary>The KeyService answered with an error; <see cref="Problem"/> is its RFC 9457 document, fit to pass on.</summary>
public sealed class ApiKeyServiceException(HttpStatusCode status, ProblemDetails problem)
    : Exception(problem.Detail ?? problem.Title)
{
    public HttpStatusCode Status { get; } = status;

    public ProblemDetails Problem { get; } = problem;
}

public static class ApiKeyClientExtensions
{
    /// <summary>Registers <see cref="ApiKeyClient"/> against <c>http://keyservice</c> (service discovery) with the calling service's own KeyService credential.</summary>
    public static IHttpClientBuilder AddApiKeyClient(this IServiceCollection services) =>
        services.AddHttpClient<ApiKeyClient>(client => client.BaseAddress = new Uri("http://keyservice"))
            .AddInternalServiceCredential(PlatformServices.KeyService);
}
