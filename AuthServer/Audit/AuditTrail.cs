using AlyAspire.AuthServer.Infrastructure;
using AlyAspire.Shared.Audit;
using Microsoft.EntityFrameworkCore;

namespace AlyAspire.AuthServer.Audit;

/// <summary>A filter on a workspace's audit log: a kind (<c>key.created</c>) or an area (<c>key</c>), a time range, a page.</summary>
public sealed record AuditQuery(string? Kind, DateTimeOffset? From, DateTimeOffset? To, int Page = 1, int PageSize = AuditTrail.DefaultPageSize);

/// <summary>
/// The one audit log of each workspace (in authdb). <see cref="Add"/> puts an event into the caller's unit of work,
/// so it commits with the change it describes (or not at all); <see cref="RecordAsync"/> saves at once, for events
/// that are not a change (a sign-in). Other services deliver their events through <see cref="IngestAsync"/>.
/// </summary>
public sealed class AuditTrail(AuthDbContext db, TimeProvider time, IHttpContextAccessor http)
{
    public const int DefaultPageSize = 50;
    public const int MaxPageSize = 200;

    /// <summary>Adds an event to <see cref="AuthDbContext"/>; the caller's <c>SaveChanges</c> writes it with its change.</summary>
    public void Add(Guid workspaceId, string kind, string actorKind, string actorId, string? target, string outcome, string? detail = null) =>
        db.AuditEvents.Add(new AuditEvent
        {
            WorkspaceId = workspaceId,
            OccurredAt = time.GetUtcNow(),
            Kind = kind,
            ActorKind = actorKind,
            ActorId = Truncate(actorId, 200)!,
            ClientAddress = http.HttpContext?.Connection.RemoteIpAddress?.ToString(),
            Target = Truncate(target, 200),
            Outcome = outcome,
            Detail = Truncate(detail, 500),
        });

    public async Task RecordAsync(Guid workspaceId, string kind, string actorKind, string actorId, string? target, string outcome, string? detail, CancellationToken ct)
    {
        Add(workspaceId, kind, actorKind, actorId, target, outcome, detail);
        await db.SaveChangesAsync(ct);
    }

    /// <summary>
    /// A failed sign-in to an existing account, in each of its workspaces (the lookup runs for every failure, so
    /// its cost does not tell which e-mails have accounts; failures for unknown e-mails belong to no workspace).
    /// </summary>
    public async Task RecordFailedSignInAsync(string email, CancellationToken ct)
    {
        var normalized = User.Normalize(email);
        var account = await db.Users.AsNoTracking().Where(u => u.NormalizedEmail == normalized)
            .Select(u => new { u.Id, Workspaces = u.Memberships.Select(m => m.WorkspaceId).ToList() }).SingleOrDefaultAsync(ct);
        foreach (var workspaceId in account?.Workspaces ?? [])
        {
            Add(workspaceId, AuditKinds.SignInFailed, AuditActorKinds.Person, $"user:{account!.Id}", $"user:{account.Id}", AuditOutcomes.Failed, "Wrong password.");
        }

        if (account is { Workspaces.Count: > 0 })
        {
            await db.SaveChangesAsync(ct);
        }
    }

    /// <summary>Stores an event another service reports; a second delivery of the same event changes nothing.</summary>
    public async Task IngestAsync(Guid workspaceId, AuditEventSubmission submission, CancellationToken ct)
    {
        if (await db.AuditEvents.AnyAsync(e => e.SourceEventId == submission.SourceEventId, ct))
        {
            return;
        }

        db.AuditEvents.Add(new AuditEvent
        {
            WorkspaceId = workspaceId,
            OccurredAt = submission.OccurredAt,
            Kind = submission.Kind,
            ActorKind = submission.ActorKind,
            ActorId = Truncate(submission.ActorId, 200)!,
            ClientAddress = Truncate(submission.ClientAddress, 64),
            Target = Truncate(submission.Target, 200),
            Outcome = submission.Outcome,
            Detail = Truncate(submission.Detail, 500),
            SourceEventId = submission.SourceEventId,
        });
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            // Delivered twice at once: the other delivery stored it (the unique index refused this one).
            if (!await db.AuditEvents.AsNoTracking().AnyAsync(e => e.SourceEventId == submission.SourceEventId, ct))
            {
                throw;
            }
        }
    }

    /// <summary>A page of the workspace's log, newest first.</summary>
    public async Task<AuditEventPage> QueryAsync(Guid workspaceId, AuditQuery query, CancellationToken ct)
    {
        var events = Filter(workspaceId, query);
        var total = await events.CountAsync(ct);
        var items = await events.OrderByDescending(e => e.OccurredAt).ThenByDescending(e => e.Id)
            .Skip((query.Page - 1) * query.PageSize).Take(query.PageSize)
            .Select(e => new AuditEventView(e.Id, e.OccurredAt, e.Kind, e.ActorKind, e.ActorId, e.ClientAddress, e.Target, e.Outcome, e.Detail))
            .ToListAsync(ct);
        return new AuditEventPage(items, query.Page, query.PageSize, total);
    }

    /// <summary>Every matching event, newest first, for export.</summary>
    public IAsyncEnumerable<AuditEventView> StreamAsync(Guid workspaceId, AuditQuery query) =>
        Filter(workspaceId, query).OrderByDescending(e => e.OccurredAt).ThenByDescending(e => e.Id)
            .Select(e => new AuditEventView(e.Id, e.OccurredAt, e.Kind, e.ActorKind, e.ActorId, e.ClientAddress, e.Target, e.Outcome, e.Detail))
            .AsAsyncEnumerable();

    /// <summary>Why a query cannot be run (for a 400), or null.</summary>
    public static string? Invalid(AuditQuery query) =>
        query.Page < 1 ? "page starts at 1."
        : query.PageSize is < 1 or > MaxPageSize ? $"pageSize must be between 1 and {MaxPageSize}."
        : query.Kind is { Length: > 64 } ? "kind is at most 64 characters."
        : query.From > query.To ? "from must not be after to."
        : null;

    private IQueryable<AuditEvent> Filter(Guid workspaceId, AuditQuery query)
    {
        var events = db.AuditEvents.AsNoTracking().Where(e => e.WorkspaceId == workspaceId);
        if (!string.IsNullOrWhiteSpace(query.Kind))
        {
            var kind = query.Kind.Trim();
            events = kind.Contains('.', StringComparison.Ordinal)
                ? events.Where(e => e.Kind == kind)
                : events.Where(e => e.Kind.StartsWith(kind + "."));
        }

        if (query.From is { } from)
        {
            events = events.Where(e => e.OccurredAt >= from);
        }

        if (query.To is { } to)
        {
            events = events.Where(e => e.OccurredAt <= to);
        }

        return events;
    }

    private static string? Truncate(string? value, int length) => value is null || value.Length <= length ? value : value[..length];
}
