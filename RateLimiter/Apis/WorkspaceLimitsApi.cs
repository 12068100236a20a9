using AlyAspire.RateLimiter.Decisions;
using AlyAspire.RateLimiter.Infrastructure;
using AlyAspire.RateLimiter.Infrastructure.EntityConfigurations;
using AlyAspire.RateLimiter.Limits;
using AlyAspire.Shared.Errors;
using AlyAspire.Shared.Internal;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using StackExchange.Redis;

namespace AlyAspire.RateLimiter.Apis;

/// <summary>
/// Internal endpoints (service credential only): a workspace's limits and override, and its current usage
/// for the dashboard.
/// </summary>
public static class WorkspaceLimitsApi
{
    public static IEndpointRouteBuilder MapWorkspaceLimitsApi(this IEndpointRouteBuilder app)
    {
        var workspaces = app.MapGroup("/internal/workspaces/{workspaceId}")
            .RequireAuthorization(InternalServiceAuthentication.Policy)
            .WithTags("Workspace limits");

        workspaces.MapGet("/limits", GetLimitsAsync);
        workspaces.MapPut("/limits", SetOverrideAsync).RequireInternalCaller(PlatformServices.StorefrontApi);
        workspaces.MapDelete("/limits", RemoveOverrideAsync).RequireInternalCaller(PlatformServices.StorefrontApi);
        workspaces.MapGet("/usage", GetUsageAsync);
        return app;
    }

    public static async Task<Results<Ok<WorkspaceLimitsResponse>, ValidationProblem>> GetLimitsAsync(
        string workspaceId, LimitsDbContext db, WorkspaceLimitPolicies policies, CancellationToken cancellationToken)
    {
        if (ValidateWorkspaceId(workspaceId) is { } invalid)
        {
            return invalid;
        }

        var limitOverride = await db.WorkspaceLimitOverrides.AsNoTracking()
            .FirstOrDefaultAsync(o => o.WorkspaceId == workspaceId, cancellationToken);
        return TypedResults.Ok(ToResponse(policies.Resolve(workspaceId, limitOverride), limitOverride));
    }

    public static async Task<Results<Ok<WorkspaceLimitsResponse>, ValidationProblem>> SetOverrideAsync(
        string workspaceId,
        WorkspaceLimitOverrideRequest request,
        LimitsDbContext db,
        WorkspaceLimitPolicies policies,
        LimitPolicyChangeSignals changes,
        TimeProvider timeProvider,
        CancellationToken cancellationToken)
    {
        if (ValidateWorkspaceId(workspaceId) is { } invalid)
        {
            return invalid;
        }

        var errors = new Dictionary<string, string[]>();
        if (request.Plan is null && request.Workspace is null && request.PerCredential is null)
        {
            errors["override"] = ["Set a plan, a workspace budget or a per-credential budget (DELETE removes the override)."];
        }

        if (request.Plan is not null && !policies.IsKnownPlan(request.Plan))
        {
            errors["plan"] = [$"'{request.Plan}' is not a configured plan."];
        }

        AddLimitErrors("workspace", request.Workspace, errors);
        AddLimitErrors("perCredential", request.PerCredential, errors);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, type: ProblemTypes.Validation, title: "The override is not valid.");
        }

        var limitOverride = await db.WorkspaceLimitOverrides.FirstOrDefaultAsync(o => o.WorkspaceId == workspaceId, cancellationToken);
        if (limitOverride is null)
        {
            limitOverride = new WorkspaceLimitOverride { WorkspaceId = workspaceId };
            db.WorkspaceLimitOverrides.Add(limitOverride);
        }

        limitOverride.Plan = request.Plan;
        limitOverride.RequestsPerWindow = request.Workspace?.RequestsPerWindow;
        limitOverride.WindowSeconds = request.Workspace?.WindowSeconds;
        limitOverride.Burst = request.Workspace?.Burst;
        limitOverride.CredentialRequestsPerWindow = request.PerCredential?.RequestsPerWindow;
        limitOverride.CredentialWindowSeconds = request.PerCredential?.WindowSeconds;
        limitOverride.CredentialBurst = request.PerCredential?.Burst;
        limitOverride.UpdatedAt = timeProvider.GetUtcNow();
        await db.SaveChangesAsync(cancellationToken);
        await changes.PublishAsync(workspaceId);

        return TypedResults.Ok(ToResponse(policies.Resolve(workspaceId, limitOverride), limitOverride));
    }

    public static async Task<Results<NoContent, ValidationProblem>> RemoveOverrideAsync(
        string workspaceId, LimitsDbContext db, LimitPolicyChangeSignals changes, CancellationToken cancellationToken)
    {
        if (ValidateWorkspaceId(workspaceId) is { } invalid)
        {
            return invalid;
        }

        await db.WorkspaceLimitOverrides.Where(o => o.WorkspaceId == workspaceId).ExecuteDeleteAsync(cancellationToken);
        await changes.PublishAsync(workspaceId);
        return TypedResults.NoContent();
    }

    public static async Task<Results<Ok<WorkspaceUsageResponse>, ValidationProblem, ProblemHttpResult>> GetUsageAsync(
        string workspaceId,
        string? credentialId,
        WorkspaceLimitPolicies policies,
        GcraDecisionStore store,
        CancellationToken cancellationToken)
    {
        if (ValidateWorkspaceId(workspaceId) is { } invalid)
        {
            return invalid;
        }

        if (credentialId is { Length: > RateLimitDecisionService.MaxIdentifierLength })
        {
            return TypedResults.ValidationProblem(
                new Dictionary<string, string[]> { ["credentialId"] = [$"At most {RateLimitDecisionService.MaxIdentifierLength} characters."] },
                type: ProblemTypes.Validation);
        }

        WorkspaceLimits limits;
        IReadOnlyList<BucketState> buckets;
        try
        {
            limits = await policies.GetAsync(workspaceId, cancellationToken);
            buckets = await store.ReadAsync(limits, credentialId);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or NpgsqlException or InvalidOperationException { InnerException: NpgsqlException })
        {
            return TypedResults.Problem(
                type: ProblemTypes.ServiceUnavailable,
                title: "Usage is unavailable.",
                detail: "The limit store or the limit policies are unreachable; try again shortly.",
                statusCode: StatusCodes.Status503ServiceUnavailable);
        }

        return TypedResults.Ok(new WorkspaceUsageResponse(
            workspaceId,
            limits.Plan,
            ToUsage(buckets[0]),
            buckets.Count > 1 ? ToUsage(buckets[1]) : null));
    }

    private static ValidationProblem? ValidateWorkspaceId(string workspaceId) =>
        workspaceId.Length > WorkspaceLimitOverrideEntityTypeConfiguration.MaxWorkspaceIdLength || string.IsNullOrWhiteSpace(workspaceId)
            ? TypedResults.ValidationProblem(
                new Dictionary<string, string[]> { ["workspaceId"] = [$"Required, at most {WorkspaceLimitOverrideEntityTypeConfiguration.MaxWorkspaceIdLength} characters."] },
                type: ProblemTypes.Validation)
            : null;

    private static void AddLimitErrors(string field, LimitDto? limit, Dictionary<string, string[]> errors)
    {
        if (limit is not null && Limit.Validate(limit.RequestsPerWindow, limit.WindowSeconds, limit.Burst) is { } problem)
        {
            errors[field] = [char.ToUpperInvariant(problem[0]) + problem[1..]];
        }
    }

    private static WorkspaceLimitsResponse ToResponse(WorkspaceLimits limits, WorkspaceLimitOverride? limitOverride) => new(
        limits.WorkspaceId,
        limits.Plan,
        ToDto(limits.Workspace),
        limits.PerCredential is { } perCredential ? ToDto(perCredential) : null,
        limitOverride is null
            ? null
            : new WorkspaceLimitOverrideRequest(
                limitOverride.Plan,
                limitOverride.WorkspaceLimit() is { } workspace ? ToDto(workspace) : null,
                limitOverride.CredentialLimit() is { } credential ? ToDto(credential) : null));

    private static LimitDto ToDto(Limit limit) => new(limit.RequestsPerWindow, limit.WindowSeconds, limit.Burst);

    private static BucketUsage ToUsage(BucketState bucket) =>
        new(bucket.Policy, ToDto(bucket.Limit), bucket.Used, bucket.Remaining, Math.Round(bucket.UntilFull.TotalSeconds, 3));
}
