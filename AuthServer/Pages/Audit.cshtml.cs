using System.Globalization;
using System.Text;
using AlyAspire.AuthServer.Audit;
using AlyAspire.AuthServer.People;
using AlyAspire.Shared.Audit;
using AlyAspire.Shared.Scopes;
using Microsoft.AspNetCore.Mvc;

namespace AlyAspire.AuthServer.Pages;

/// <summary>
/// The workspace's audit log for its owners and admins (their role as the memberships say now): filters by kind or
/// area and by day, pages of 50, and a CSV export of everything the filter matches.
/// </summary>
public sealed class AuditModel(AuditTrail audit, AccountService accounts) : DashboardPageModel
{
    public const int PageSize = 50;
    public const int ExportLimit = 50_000;

    [BindProperty(SupportsGet = true)]
    public string? Kind { get; set; }

    [BindProperty(SupportsGet = true)]
    public DateOnly? From { get; set; }

    [BindProperty(SupportsGet = true)]
    public DateOnly? To { get; set; }

    [BindProperty(Name = "pageNumber", SupportsGet = true)]
    public int PageNumber { get; set; } = 1;

    public AuditEventPage Events { get; private set; } = new([], 1, PageSize, 0);

    public string? Error { get; private set; }

    public static IReadOnlyList<string> KindChoices { get; } =
    [
        .. AuditKinds.Areas,
        AuditKinds.KeyCreated, AuditKinds.KeyRolled, AuditKinds.KeyRevoked,
        AuditKinds.ConsentGranted, AuditKinds.ConsentDenied, AuditKinds.GrantRevoked,
        AuditKinds.SignInSucceeded, AuditKinds.SignInFailed,
    ];

    public int LastPage => Math.Max(1, (Events.Total + PageSize - 1) / PageSize);

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        if (!await MayReadAsync(ct))
        {
            return Forbid();
        }

        var query = Query(PageNumber, PageSize);
        if (AuditTrail.Invalid(query) is { } invalid)
        {
            Error = invalid;
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return Page();
        }

        Events = await audit.QueryAsync(WorkspaceId, query, ct);
        return Page();
    }

    public async Task<IActionResult> OnGetCsvAsync(CancellationToken ct)
    {
        if (!await MayReadAsync(ct))
        {
            return Forbid();
        }

        var query = Query(1, PageSize);
        if (AuditTrail.Invalid(query) is not null)
        {
            return BadRequest();
        }

        var csv = new StringBuilder("time,kind,actor_kind,actor,client_address,target,outcome,detail\r\n");
        var rows = 0;
        await foreach (var e in audit.StreamAsync(WorkspaceId, query).WithCancellation(ct))
        {
            if (++rows > ExportLimit)
            {
                break;
            }

            csv.AppendJoin(',', [
                e.OccurredAt.UtcDateTime.ToString("O", CultureInfo.InvariantCulture), Cell(e.Kind), Cell(e.ActorKind), Cell(e.ActorId),
                Cell(e.ClientAddress), Cell(e.Target), Cell(e.Outcome), Cell(e.Detail)]).Append("\r\n");
        }

        Response.Headers.CacheControl = "no-store";
        return File(Encoding.UTF8.GetBytes(csv.ToString()), "text/csv; charset=utf-8", $"audit-{WorkspaceId}.csv");
    }

    /// <summary>The same filter for the pager and the export links.</summary>
    public Dictionary<string, string> RouteValues(int? page = null)
    {
        var values = new Dictionary<string, string>();
        if (!string.IsNullOrWhiteSpace(Kind))
        {
            values["kind"] = Kind;
        }

        if (From is { } from)
        {
            values["from"] = from.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        }

        if (To is { } to)
        {
            values["to"] = to.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        }

        if (page is { } p)
        {
            values["pageNumber"] = p.ToString(CultureInfo.InvariantCulture);
        }

        return values;
    }

    private AuditQuery Query(int page, int pageSize) => new(
        Kind,
        From is { } from ? new DateTimeOffset(from.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero) : null,
        To is { } to ? new DateTimeOffset(to.ToDateTime(TimeOnly.MaxValue), TimeSpan.Zero) : null,
        page,
        pageSize);

    private async Task<bool> MayReadAsync(CancellationToken ct)
    {
        var role = (await accounts.MembershipsAsync(UserId, ct)).FirstOrDefault(m => m.WorkspaceId == WorkspaceId)?.Role;
        return role is WorkspaceRoles.Owner or WorkspaceRoles.Admin;
    }

    /// <summary>A CSV cell: quoted when needed, and never read as a formula by a spreadsheet.</summary>
    private static string Cell(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return string.Empty;
        }

        if (value[0] is '=' or '+' or '-' or '@')
        {
            value = "'" + value;
        }

        return value.IndexOfAny([',', '"', '\r', '\n']) >= 0 ? $"\"{value.Replace("\"", "\"\"", StringComparison.Ordinal)}\"" : value;
    }
}
