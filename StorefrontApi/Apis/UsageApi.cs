using AlyAspire.Shared.Errors;
using AlyAspire.Shared.Scopes;
using AlyAspire.Shared.Usage;
using AlyAspire.StorefrontApi.Application;
using AlyAspire.AgentGate;
using Microsoft.AspNetCore.Http.HttpResults;

namespace AlyAspire.StorefrontApi.Apis;

/// <summary>The workspace's metered requests for agents: per credential and UTC day, allowed and refused apart.</summary>
public static partial class UsageApi
{
    public static RouteGroupBuilder MapUsageApi(this RouteGroupBuilder merchant)
    {
        merchant.MapGroup("").WithTags("Usage")
            .MapGet("/usage", GetUsageAsync)
            .RequireScope(ScopeCatalogue.ReadAnalytics)
            .WithSummary("Requests per credential and day over the last N days (allowed, and refused by 401/403/429)");
        return merchant;
    }

    public static async Task<Results<Ok<WorkspaceUsageReport>, ProblemHttpResult>> GetUsageAsync(
        ICurrentWorkspace workspace, UsageClient usage, ILoggerFactory loggers, CancellationToken ct,
        int days = UsageRoutes.ChartDays, string? credentialKind = null, string? credentialId = null)
    {
        if (days is < 1 or > UsageRoutes.MaxDays)
        {
            return StoreResults.Invalid("days", $"days must be between 1 and {UsageRoutes.MaxDays}.");
        }

        if ((credentialKind is null) != (credentialId is null) || (credentialKind is not null && !UsageCredentialKinds.IsKnown(credentialKind))
            || credentialId is { Length: > 200 })
        {
            return StoreResults.Invalid("credentialKind",
                $"Give both credentialKind ({UsageCredentialKinds.ApiKey} or {UsageCredentialKinds.OAuth}) and credentialId, or neither.");
        }

        try
        {
            return TypedResults.Ok(await usage.GetAsync(workspace.WorkspaceId!.Value, days, credentialKind, credentialId, ct));
        }
        catch (HttpRequestException exception)
        {
            LogUsageUnavailable(loggers.CreateLogger(typeof(UsageApi)), exception);
            return TypedResults.Problem(
                type: ProblemTypes.ServiceUnavailable,
                title: "Usage is unavailable",
                detail: "The usage store cannot be reached right now; retry shortly.",
                statusCode: StatusCodes.Status503ServiceUnavailable);
        }
    }

    [LoggerMessage(LogLevel.Warning, "Reading the workspace's usage failed")]
    private static partial void LogUsageUnavailable(ILogger logger, Exception exception);
}
