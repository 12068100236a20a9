using AlyAspire.KeyService.Infrastructure;
using AlyAspire.KeyService.Model;
using AlyAspire.Shared.Errors;
using AlyAspire.Shared.Internal;
using AlyAspire.Shared.Usage;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace AlyAspire.KeyService.Apis;

/// <summary>
/// The platform's usage store (<see cref="UsageRoutes"/>): the agent surfaces count every authenticated request per
/// credential and day and send the counts here in batches; the dashboard and the agent API read them back. It lives
/// beside the keys because a key's "last used" is part of the key, and it serves OAuth grants and clients the same
/// way, so one store answers "what did this workspace's credentials do" with one query.
/// </summary>
public static class UsageApi
{
    /// <summary>The most counts one batch may carry (a surface sends one per credential and day it saw).</summary>
    public const int MaxBatchCounts = 10_000;

    /// <summary>How long a batch's receipt is kept: far longer than any retry of it.</summary>
    private static readonly TimeSpan ReceiptLifetime = TimeSpan.FromDays(2);

    public static IEndpointRouteBuilder MapUsageApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/internal").RequireAuthorization(InternalServiceAuthentication.Policy).WithTags("Usage");
        api.MapPost("/usage/batches", ApplyBatchAsync);
        api.MapGet("/workspaces/{workspaceId:guid}/usage", GetWorkspaceUsageAsync);
        return app;
    }

    /// <summary>
    /// Applies a batch once: its receipt and its counts are written by one statement, so either both are written or
    /// neither, and a batch whose receipt exists is not counted again. API keys' last use moves forward with it.
    /// </summary>
    public static async Task<Results<Ok<UsageBatchReceipt>, ValidationProblem>> ApplyBatchAsync(
        UsageBatch batch, KeysDbContext db, TimeProvider time, CancellationToken ct)
    {
        if (Validate(batch) is { } invalid)
        {
            return invalid;
        }

        var counts = batch.Counts;
        var workspaces = counts.Select(c => c.WorkspaceId).ToArray();
        var kinds = counts.Select(c => c.CredentialKind).ToArray();
        var credentials = counts.Select(c => c.CredentialId).ToArray();
        var clients = counts.Select(c => c.ClientId).ToArray();
        var days = counts.Select(c => c.Day).ToArray();
        var allowed = counts.Select(c => c.Allowed).ToArray();
        var unauthorized = counts.Select(c => c.Unauthorized).ToArray();
        var forbidden = counts.Select(c => c.Forbidden).ToArray();
        var credentialLimited = counts.Select(c => c.CredentialLimited).ToArray();
        var workspaceLimited = counts.Select(c => c.WorkspaceLimited).ToArray();
        var lastUsedAt = counts.Select(c => c.LastUsedAt.ToUniversalTime()).ToArray();
        var now = time.GetUtcNow();
        var apiKey = UsageCredentialKinds.ApiKey;

        // Data-modifying CTEs run in one statement and one snapshot: the receipt gates the counts (a retried batch
        // finds its receipt and inserts nothing; a concurrent duplicate waits on the receipt's key and then does the same).
        var applied = await db.Database.SqlQuery<int>(
            $"""
            WITH receipt AS (
                INSERT INTO "UsageBatches" ("Id", "ReceivedAt") VALUES ({batch.BatchId}, {now})
                ON CONFLICT ("Id") DO NOTHING
                RETURNING "Id"
            ), batch AS (
                SELECT workspace_id, kind, credential_id, max(client_id) AS client_id, usage_day,
                       sum(allowed) AS allowed, sum(unauthorized) AS unauthorized, sum(forbidden) AS forbidden,
                       sum(credential_limited) AS credential_limited, sum(workspace_limited) AS workspace_limited,
                       max(last_used_at) AS last_used_at
                FROM unnest({workspaces}, {kinds}, {credentials}, {clients}, {days}, {allowed}, {unauthorized}, {forbidden},
                            {credentialLimited}, {workspaceLimited}, {lastUsedAt})
                     AS b(workspace_id, kind, credential_id, client_id, usage_day, allowed, unauthorized, forbidden,
                          credential_limited, workspace_limited, last_used_at)
                WHERE EXISTS (SELECT 1 FROM receipt)
                GROUP BY workspace_id, kind, credential_id, usage_day
            ), usage AS (
                INSERT INTO "CredentialDailyUsage" AS u ("WorkspaceId", "CredentialKind", "CredentialId", "Day", "ClientId",
                    "Allowed", "Unauthorized", "Forbidden", "CredentialLimited", "WorkspaceLimited", "LastUsedAt")
                SELECT workspace_id, kind, credential_id, usage_day, client_id,
                       allowed, unauthorized, forbidden, credential_limited, workspace_limited, last_used_at
                FROM batch
                ON CONFLICT ("WorkspaceId", "CredentialKind", "CredentialId", "Day") DO UPDATE SET
                    "Allowed" = u."Allowed" + EXCLUDED."Allowed",
                    "Unauthorized" = u."Unauthorized" + EXCLUDED."Unauthorized",
                    "Forbidden" = u."Forbidden" + EXCLUDED."Forbidden",
                    "CredentialLimited" = u."CredentialLimited" + EXCLUDED."CredentialLimited",
                    "WorkspaceLimited" = u."WorkspaceLimited" + EXCLUDED."WorkspaceLimited",
                    "LastUsedAt" = GREATEST(u."LastUsedAt", EXCLUDED."LastUsedAt"),
                    "ClientId" = COALESCE(EXCLUDED."ClientId", u."ClientId")
            ), keys AS (
                UPDATE "ApiKeys" AS k SET "LastUsedAt" = used.last_used_at
                FROM (SELECT workspace_id, credential_id::uuid AS key_id, max(last_used_at) AS last_used_at
                      FROM batch WHERE kind = {apiKey} GROUP BY workspace_id, credential_id) AS used
                WHERE k."Id" = used.key_id AND k."WorkspaceId" = used.workspace_id
                  AND (k."LastUsedAt" IS NULL OR k."LastUsedAt" < used.last_used_at)
            )
            SELECT count(*)::int AS "Value" FROM receipt
            """).ToListAsync(ct);

        var cutoff = now - ReceiptLifetime;
        await db.UsageBatches.Where(b => b.ReceivedAt < cutoff).ExecuteDeleteAsync(ct);
        return TypedResults.Ok(new UsageBatchReceipt(batch.BatchId, applied is [1]));
    }

    /// <summary>A workspace's requests per credential and day over the last <paramref name="days"/> days (today included).</summary>
    public static async Task<Results<Ok<WorkspaceUsageReport>, ValidationProblem>> GetWorkspaceUsageAsync(
        Guid workspaceId, KeysDbContext db, TimeProvider time, CancellationToken ct,
        int days = UsageRoutes.ChartDays, string? credentialKind = null, string? credentialId = null)
    {
        var errors = new Dictionary<string, string[]>();
        if (days is < 1 or > UsageRoutes.MaxDays)
        {
            errors["days"] = [$"Between 1 and {UsageRoutes.MaxDays}."];
        }

        if ((credentialKind is null) != (credentialId is null) || (credentialKind is not null && !UsageCredentialKinds.IsKnown(credentialKind)))
        {
            errors["credentialKind"] = [$"Give both credentialKind ({UsageCredentialKinds.ApiKey} or {UsageCredentialKinds.OAuth}) and credentialId, or neither."];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, type: ProblemTypes.Validation, title: "The request is not valid.");
        }

        var to = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
        var from = to.AddDays(-(days - 1));
        var rows = await db.CredentialUsage.AsNoTracking()
            .Where(u => u.WorkspaceId == workspaceId && u.Day >= from && u.Day <= to)
            .Where(u => credentialKind == null || (u.CredentialKind == credentialKind && u.CredentialId == credentialId))
            .OrderBy(u => u.Day)
            .ToListAsync(ct);

        var credentials = rows
            .GroupBy(r => (r.CredentialKind, r.CredentialId))
            .Select(g => new CredentialUsage(
                g.Key.CredentialKind,
                g.Key.CredentialId,
                g.Select(r => r.ClientId).LastOrDefault(c => c is not null),
                g.Max(r => r.LastUsedAt),
                g.Sum(r => r.Allowed),
                g.Sum(r => r.Unauthorized + r.Forbidden + r.CredentialLimited + r.WorkspaceLimited),
                g.Select(r => new DailyUsage(r.Day, r.Allowed, r.Unauthorized, r.Forbidden, r.CredentialLimited, r.WorkspaceLimited)).ToList()))
            .OrderByDescending(c => c.LastUsedAt)
            .ToList();
        return TypedResults.Ok(new WorkspaceUsageReport(workspaceId, from, to, credentials));
    }

    private static ValidationProblem? Validate(UsageBatch batch)
    {
        var errors = new Dictionary<string, string[]>();
        if (batch.BatchId == Guid.Empty)
        {
            errors["batchId"] = ["A batch id is required."];
        }

        if (batch.Counts is null || batch.Counts.Count is 0 or > MaxBatchCounts)
        {
            errors["counts"] = [$"Between 1 and {MaxBatchCounts} counts."];
        }
        else
        {
            for (var i = 0; i < batch.Counts.Count; i++)
            {
                if (Problem(batch.Counts[i]) is { } problem)
                {
                    errors[$"counts[{i}]"] = [problem];
                }
            }
        }

        return errors.Count == 0 ? null : TypedResults.ValidationProblem(errors, type: ProblemTypes.Validation, title: "The usage batch is not valid.");
    }

    private static string? Problem(UsageCount count)
    {
        if (count is null)
        {
            return "A count is required.";
        }

        if (!UsageCredentialKinds.IsKnown(count.CredentialKind))
        {
            return $"credentialKind must be {UsageCredentialKinds.ApiKey} or {UsageCredentialKinds.OAuth}.";
        }

        if (string.IsNullOrEmpty(count.CredentialId) || count.CredentialId.Length > CredentialUsageDay.IdentifierMaxLength
            || count.ClientId is { Length: > CredentialUsageDay.IdentifierMaxLength })
        {
            return $"credentialId is required; it and clientId have at most {CredentialUsageDay.IdentifierMaxLength} characters.";
        }

        if (count.CredentialKind == UsageCredentialKinds.ApiKey && !Guid.TryParse(count.CredentialId, out _))
        {
            return "An API key's credentialId is its id (a UUID).";
        }

        if (count.Allowed < 0 || count.Unauthorized < 0 || count.Forbidden < 0 || count.CredentialLimited < 0 || count.WorkspaceLimited < 0)
        {
            return "Counts cannot be negative.";
        }

        return null;
    }
}
