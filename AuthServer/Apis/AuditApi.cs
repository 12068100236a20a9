using AlyAspire.AuthServer.Audit;
using AlyAspire.Shared.Audit;
using AlyAspire.Shared.Errors;
using AlyAspire.Shared.Internal;
using Microsoft.AspNetCore.Http.HttpResults;

namespace AlyAspire.AuthServer.Apis;

/// <summary>
/// The audit log's internal API (service credential only): other services deliver their events (the KeyService's
/// key events, from its outbox) and read a workspace's log (the StorefrontApi's <c>/merchant/audit-events</c>).
/// </summary>
public static class AuditApi
{
    public static IEndpointRouteBuilder MapAuditApi(this IEndpointRouteBuilder app)
    {
        var events = app.MapGroup("/internal/workspaces/{workspaceId:guid}/audit-events")
            .RequireAuthorization(InternalServiceAuthentication.Policy)
            .DisableAntiforgery();
        events.MapPost("/", SubmitAsync);
        events.MapGet("/", ListAsync);
        return app;
    }

    public static async Task<Results<NoContent, ValidationProblem>> SubmitAsync(
        Guid workspaceId, AuditEventSubmission submission, AuditTrail audit, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(submission.SourceEventId) || submission.SourceEventId.Length > 100
            || string.IsNullOrWhiteSpace(submission.Kind) || submission.Kind.Length > 64
            || string.IsNullOrWhiteSpace(submission.ActorId) || string.IsNullOrWhiteSpace(submission.Outcome) || submission.Outcome.Length > 16
            || string.IsNullOrWhiteSpace(submission.ActorKind) || submission.ActorKind.Length > 32)
        {
            return TypedResults.ValidationProblem(
                new Dictionary<string, string[]> { ["event"] = ["sourceEventId, kind, actorKind, actorId and outcome are required."] },
                type: ProblemTypes.Validation, title: "The request is not valid.");
        }

        await audit.IngestAsync(workspaceId, submission, ct);
        return TypedResults.NoContent();
    }

    public static async Task<Results<Ok<AuditEventPage>, ValidationProblem>> ListAsync(
        Guid workspaceId, AuditTrail audit, CancellationToken ct,
        string? kind = null, DateTimeOffset? from = null, DateTimeOffset? to = null, int page = 1, int pageSize = AuditTrail.DefaultPageSize)
    {
        var query = new AuditQuery(kind, from, to, page, pageSize);
        if (AuditTrail.Invalid(query) is { } invalid)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["query"] = [invalid] },
                type: ProblemTypes.Validation, title: "The request is not valid.");
        }

        return TypedResults.Ok(await audit.QueryAsync(workspaceId, query, ct));
    }
}
