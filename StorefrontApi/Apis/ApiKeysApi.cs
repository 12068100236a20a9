using AlyAspire.Shared.ApiKeys;
using AlyAspire.Shared.Scopes;
using AlyAspire.StorefrontApi.Application;
using AlyAspire.AgentGate;
using Microsoft.AspNetCore.Http.HttpResults;

namespace AlyAspire.StorefrontApi.Apis;

/// <summary>API keys of the caller's workspace (<see cref="ApiKeyService"/>, through the KeyService).</summary>
public static class ApiKeysApi
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

    public static async Task<Results<Ok<IReadOnlyList<ApiKeySummary>>, ProblemHttpResult>> ListKeys(ApiKeyService keys, CancellationToken ct) =>
        (await keys.ListAsync(ct)).ToOk();

    public static async Task<Results<Ok<ApiKeyWithSecret>, ProblemHttpResult>> CreateKey(CreateApiKeyBody body, ApiKeyService keys, CancellationToken ct) =>
        (await keys.CreateAsync(body, ct)).ToOk();

    public static async Task<Results<Ok<ApiKeySummary>, ProblemHttpResult>> RevokeKey(Guid id, ApiKeyService keys, CancellationToken ct) =>
        (await keys.RevokeAsync(id, ct)).ToOk();

    public static async Task<Results<Ok<ApiKeyWithSecret>, ProblemHttpResult>> RollKey(Guid id, RollApiKeyRequest? body, ApiKeyService keys, CancellationToken ct) =>
        (await keys.RollAsync(id, body ?? new RollApiKeyRequest(null), ct)).ToOk();
}
