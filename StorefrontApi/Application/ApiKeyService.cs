using AlyAspire.Shared.ApiKeys;
using AlyAspire.AgentGate;
using Microsoft.AspNetCore.Authentication;

namespace AlyAspire.StorefrontApi.Application;

/// <param name="PlatformProfile">Optional: the https URL of the UCP platform profile the key is issued to (UCP's identity binding).</param>
public sealed record CreateApiKeyBody(string? Name, IReadOnlyList<string>? Scopes, DateTimeOffset? ExpiresAt, string? PlatformProfile = null);

/// <summary>
/// API keys of the caller's workspace, through the KeyService, for REST and MCP. The caller acts as itself: its own
/// bearer credential goes to the KeyService, which verifies it and takes the caller's ceiling from it (the key's
/// scopes, or the OAuth grant's). Nothing the caller could not do itself is granted, rolled or revoked; a key minted
/// under an OAuth grant expires with it at the latest and is revoked with it.
/// </summary>
public sealed partial class ApiKeyService(ApiKeyClient keys, ICurrentWorkspace workspace, IHttpContextAccessor http, ILogger<ApiKeyService> logger)
{
    public Task<StoreResult<IReadOnlyList<ApiKeySummary>>> ListAsync(CancellationToken ct) =>
        CallAsync(c => keys.ListAsync(WorkspaceId, Actor, c), ct);

    public Task<StoreResult<ApiKeyWithSecret>> CreateAsync(CreateApiKeyBody body, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(body.Name) || body.Name.Length > 100)
        {
            return Task.FromResult<StoreResult<ApiKeyWithSecret>>(StoreError.Invalid("name", "name is required (at most 100 characters)."));
        }

        if (body.Scopes is not { Count: > 0 } scopes)
        {
            return Task.FromResult<StoreResult<ApiKeyWithSecret>>(StoreError.Invalid("scopes", "A key needs at least one scope."));
        }

        return CallAsync(c => keys.CreateAsync(WorkspaceId, new CreateApiKeyRequest(body.Name, scopes, body.ExpiresAt, body.PlatformProfile), Actor, c), ct);
    }

    public Task<StoreResult<ApiKeySummary>> RevokeAsync(Guid id, CancellationToken ct) =>
        CallAsync(c => keys.RevokeAsync(WorkspaceId, id, Actor, c), ct);

    public Task<StoreResult<ApiKeyWithSecret>> RollAsync(Guid id, RollApiKeyRequest request, CancellationToken ct) =>
        CallAsync(c => keys.RollAsync(WorkspaceId, id, request, Actor, c), ct);

    private Guid WorkspaceId => workspace.WorkspaceId ?? throw new InvalidOperationException("API keys are managed inside an authenticated request.");

    /// <summary>The caller as the KeyService verifies it: the bearer credential the gate accepted (never a claim about it).</summary>
    private ApiKeyActor Actor =>
        ApiKeyActor.Agent(
            (http.HttpContext?.User.Identity?.IsAuthenticated == true ? http.HttpContext.Features.Get<VerifiedCredentialFeature>()?.Bearer : null)
                ?? throw new InvalidOperationException("API keys are managed inside a request the agent gate authenticated."),
            workspace.ClientAddress);

    /// <summary>The KeyService's refusals in the store's vocabulary, keeping its precise problem type; an outage is Unavailable.</summary>
    private async Task<StoreResult<T>> CallAsync<T>(Func<CancellationToken, Task<T>> call, CancellationToken ct)
    {
        try
        {
            return await call(ct);
        }
        catch (ApiKeyServiceException ex) when ((int)ex.Status is >= 400 and < 500)
        {
            return StoreError.Refused((int)ex.Status, ex.Problem.Detail ?? ex.Problem.Title ?? "The key service refused the request.",
                ex.Problem.Type, ValidationErrorsOf(ex.Problem));
        }
        catch (Exception ex) when (ex is ApiKeyServiceException or HttpRequestException or TimeoutException
                                   || (ex is OperationCanceledException && !ct.IsCancellationRequested))
        {
            LogKeyServiceUnavailable(logger, ex);
            return StoreError.Unavailable("API keys cannot be managed right now; retry shortly.");
        }
    }

    private static Dictionary<string, string[]>? ValidationErrorsOf(Microsoft.AspNetCore.Mvc.ProblemDetails problem) =>
        problem is Microsoft.AspNetCore.Mvc.ValidationProblemDetails validation ? new Dictionary<string, string[]>(validation.Errors) : null;

    [LoggerMessage(Level = LogLevel.Warning, Message = "The key service could not complete an API-key request")]
    private static partial void LogKeyServiceUnavailable(ILogger logger, Exception exception);
}
