using AlyAspire.Shared.ApiKeys;
using AlyAspire.Shared.Errors;
using AlyAspire.Shared.Scopes;
using AlyAspire.StorefrontApi.Application;
using AlyAspire.StorefrontApi.Authentication;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace AlyAspire.StorefrontApi.Apis;

public sealed record CreateApiKeyBody(string? Name, IReadOnlyList<string>? Scopes, DateTimeOffset? ExpiresAt);

/// <summary>
/// API keys of the caller's workspace, through the KeyService. The caller acts as itself: its own bearer credential
/// goes to the KeyService, which verifies it and takes the caller's ceiling from it (the key's scopes, or the OAuth
/// grant's). Nothing the caller could not do itself is granted, rolled or revoked; a key minted under an OAuth grant
/// expires with it at the latest and is revoked with it.
/// </summary>
public static partial class ApiKeysApi
{
    public static RouteGroupBuilder MapApiKeysApi(this RouteGroupBuilder merchant)
    {
        var keys = merchant.MapGroup("/api-keys").WithTags("API keys");
        keys.MapGet("/", ListKeys).RequireScope(ScopeCatalogue.ManageApiKeys).WithSummary("List the workspace's API keys (never their secrets)");
        keys.MapPost("/", CreateKey).RequireScope(ScopeCatalogue.ManageApiKeys).WithSummary("Create an API key; its secret is returned once");
        keys.MapPost("/{id:guid}/revoke", RevokeKey).RequireScope(ScopeCatalogue.ManageApiKeys).WithSummary("Revoke an API key, effective immediately");
        keys.MapPost("/{id:guid}/roll", RollKey).RequireScope(ScopeCatalogue.ManageApiKeys)
            .WithSummary("Roll an API key: a new secret, returned once; the old one works for the grace period (0: ends at once)");
        return merchant;
    }

    public static Task<Results<Ok<IReadOnlyList<ApiKeySummary>>, ProblemHttpResult>> ListKeys(ApiKeyClient keys, HttpContext context, ICurrentWorkspace workspace, ILoggerFactory logs) =>
        CallAsync(context, logs, async ct => TypedResults.Ok(await keys.ListAsync(workspace.WorkspaceId!.Value, ActorOf(context), ct)));

    public static Task<Results<Ok<ApiKeyWithSecret>, ProblemHttpResult>> CreateKey(
        CreateApiKeyBody body, ApiKeyClient keys, HttpContext context, ICurrentWorkspace workspace, ILoggerFactory logs)
    {
        if (string.IsNullOrWhiteSpace(body.Name) || body.Name.Length > 100)
        {
            return Task.FromResult<Results<Ok<ApiKeyWithSecret>, ProblemHttpResult>>(StoreResults.Invalid("name", "name is required (at most 100 characters)."));
        }

        if (body.Scopes is not { Count: > 0 } scopes)
        {
            return Task.FromResult<Results<Ok<ApiKeyWithSecret>, ProblemHttpResult>>(StoreResults.Invalid("scopes", "A key needs at least one scope."));
        }

        return CallAsync(context, logs, async ct => TypedResults.Ok(
            await keys.CreateAsync(workspace.WorkspaceId!.Value, new CreateApiKeyRequest(body.Name, scopes, body.ExpiresAt), ActorOf(context), ct)));
    }

    public static Task<Results<Ok<ApiKeySummary>, ProblemHttpResult>> RevokeKey(Guid id, ApiKeyClient keys, HttpContext context, ICurrentWorkspace workspace, ILoggerFactory logs) =>
        CallAsync(context, logs, async ct => TypedResults.Ok(await keys.RevokeAsync(workspace.WorkspaceId!.Value, id, ActorOf(context), ct)));

    public static Task<Results<Ok<ApiKeyWithSecret>, ProblemHttpResult>> RollKey(
        Guid id, RollApiKeyRequest? body, ApiKeyClient keys, HttpContext context, ICurrentWorkspace workspace, ILoggerFactory logs) =>
        CallAsync(context, logs, async ct => TypedResults.Ok(
            await keys.RollAsync(workspace.WorkspaceId!.Value, id, body ?? new RollApiKeyRequest(null), ActorOf(context), ct)));

    /// <summary>
    /// The caller as the KeyService verifies it: the bearer credential the gate accepted (never a claim about it).
    /// Every agent surface that manages keys (REST, MCP) passes this.
    /// </summary>
    public static ApiKeyActor ActorOf(HttpContext context)
    {
        var authorization = context.Request.Headers.Authorization.ToString();
        var bearer = authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? authorization[7..].Trim() : string.Empty;
        return ApiKeyActor.Agent(bearer, context.Connection.RemoteIpAddress?.ToString());
    }

    /// <summary>Passes the KeyService's refusals on as they are (its problems are RFC 9457 already); an outage is a 503.</summary>
    private static async Task<Results<Ok<T>, ProblemHttpResult>> CallAsync<T>(HttpContext context, ILoggerFactory logs, Func<CancellationToken, Task<Ok<T>>> call)
    {
        try
        {
            return await call(context.RequestAborted);
        }
        catch (ApiKeyServiceException ex) when ((int)ex.Status is >= 400 and < 500)
        {
            var problem = ex.Problem;
            problem.Status ??= (int)ex.Status;
            return TypedResults.Problem(problem);
        }
        catch (Exception ex) when (ex is ApiKeyServiceException or HttpRequestException or TimeoutException
                                   || (ex is OperationCanceledException && !context.RequestAborted.IsCancellationRequested))
        {
            LogKeyServiceUnavailable(logs.CreateLogger(typeof(ApiKeysApi)), ex);
            return TypedResults.Problem(new ProblemDetails
            {
                Status = StatusCodes.Status503ServiceUnavailable,
                Type = ProblemTypes.ServiceUnavailable,
                Title = "The key service is unavailable",
                Detail = "API keys cannot be managed right now; retry shortly.",
            });
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The key service could not complete an API-key request")]
    private static partial void LogKeyServiceUnavailable(ILogger logger, Exception exception);
}
