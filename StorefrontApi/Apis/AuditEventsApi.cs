using AlyAspire.Shared.Audit;
using AlyAspire.Shared.Errors;
using AlyAspire.Shared.Scopes;
using AlyAspire.StorefrontApi.Application;
using AlyAspire.AgentGate;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace AlyAspire.StorefrontApi.Apis;

/// <summary>
/// The workspace's audit log (owned by the AuthServer, read through its internal API): key, OAuth consent and grant,
/// membership, invitation, role and sign-in events, newest first, filterable by kind (or area) and time.
/// </summary>
public static partial class AuditEventsApi
{
    public static RouteGroupBuilder MapAuditEventsApi(this RouteGroupBuilder merchant)
    {
        merchant.MapGroup("/audit-events").WithTags("Audit")
            .MapGet("/", ListEvents).RequireScope(ScopeCatalogue.ManageWorkspace)
            .WithSummary("The workspace's audit log, newest first (filters: kind or area such as key, from, to; paged)");
        return merchant;
    }

    public static async Task<Results<Ok<AuditEventPage>, ProblemHttpResult>> ListEvents(
        AuditClient audit, ICurrentWorkspace workspace, ILoggerFactory logs, HttpContext context,
        string? kind = null, DateTimeOffset? from = null, DateTimeOffset? to = null, int page = 1, int pageSize = 50)
    {
        try
        {
            var (events, refusal) = await audit.ListAsync(workspace.WorkspaceId!.Value, kind, from, to, page, pageSize, context.RequestAborted);
            if (refusal is not null)
            {
                using (refusal)
                {
                    var problem = await refusal.Content.ReadFromJsonAsync<ProblemDetails>(context.RequestAborted) ?? new ProblemDetails();
                    problem.Status = (int)refusal.StatusCode;
                    return TypedResults.Problem(problem);
                }
            }

            return TypedResults.Ok(events!);
        }
        catch (Exception ex) when (ex is HttpRequestException or TimeoutException or System.Text.Json.JsonException
                                   || (ex is OperationCanceledException && !context.RequestAborted.IsCancellationRequested))
        {
            LogAuditUnavailable(logs.CreateLogger(typeof(AuditEventsApi)), ex);
            return TypedResults.Problem(new ProblemDetails
            {
                Status = StatusCodes.Status503ServiceUnavailable,
                Type = ProblemTypes.ServiceUnavailable,
                Title = "The audit log is unavailable",
                Detail = "The audit log cannot be read right now; retry shortly.",
            });
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The audit log could not be read from the AuthServer")]
    private static partial void LogAuditUnavailable(ILogger logger, Exception exception);
}
