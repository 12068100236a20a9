namespace AlyAspire.Shared.Usage;

// The usage store's HTTP contract (the KeyService holds it, see UsageRoutes): the agent surfaces send what they
// counted in batches, the dashboard and the agent API read it back. Every route requires the service credential.

/// <summary>The kinds of credential usage is counted for (the store's <c>CredentialKind</c> column).</summary>
public static class UsageCredentialKinds
{
    /// <summary>An API key; the credential id is the key's id.</summary>
    public const string ApiKey = "api_key";

    /// <summary>An OAuth grant or client: the credential id is the authorization (grant) id, or the client id when the token has no authorization (a machine client).</summary>
    public const string OAuth = "oauth";

    public static bool IsKnown(string? kind) => kind is ApiKey or OAuth;
}

/// <summary>
/// One batch of counts, identified by <see cref="BatchId"/>: the store applies a batch once, so a batch retried after a
/// failed or lost answer is not counted twice.
/// </summary>
public sealed record UsageBatch(Guid BatchId, IReadOnlyList<UsageCount> Counts);

/// <summary>Requests of one credential on one UTC day, by outcome.</summary>
/// <param name="Allowed">Passed the gate, its scope check and the rate limits.</param>
/// <param name="Unauthorized">Refused with 401 although the credential was identified (e.g. a token for another resource, a revoked cached key).</param>
/// <param name="Forbidden">Refused with 403 (the credential lacks the scope).</param>
/// <param name="CredentialLimited">Refused with 429 by the credential's own budget.</param>
/// <param name="WorkspaceLimited">Refused with 429 by the workspace's budget.</param>
/// <param name="LastUsedAt">The latest request of these.</param>
public sealed record UsageCount(
    Guid WorkspaceId,
    string CredentialKind,
    string CredentialId,
    string? ClientId,
    DateOnly Day,
    long Allowed,
    long Unauthorized,
    long Forbidden,
    long CredentialLimited,
    long WorkspaceLimited,
    DateTimeOffset LastUsedAt);

/// <summary>A batch's receipt: <see cref="Applied"/> is false when the batch had been applied before (a retry).</summary>
public sealed record UsageBatchReceipt(Guid BatchId, bool Applied);

/// <summary>One day of one credential's (or a workspace's) requests.</summary>
public sealed record DailyUsage(DateOnly Day, long Allowed, long Unauthorized, long Forbidden, long CredentialLimited, long WorkspaceLimited)
{
    public long Refused => Unauthorized + Forbidden + CredentialLimited + WorkspaceLimited;

    public long RateLimited => CredentialLimited + WorkspaceLimited;
}

/// <summary>A credential's requests over the report's days (days without requests are left out).</summary>
public sealed record CredentialUsage(
    string CredentialKind,
    string CredentialId,
    string? ClientId,
    DateTimeOffset? LastUsedAt,
    long Allowed,
    long Refused,
    IReadOnlyList<DailyUsage> Days);

/// <summary>A workspace's requests per credential and day, from <see cref="From"/> to <see cref="To"/> (UTC days, inclusive).</summary>
public sealed record WorkspaceUsageReport(Guid WorkspaceId, DateOnly From, DateOnly To, IReadOnlyList<CredentialUsage> Credentials)
{
    /// <summary>Every credential's requests added up per day (days without requests left out).</summary>
    public IReadOnlyList<DailyUsage> Totals() => Credentials.SelectMany(c => c.Days).GroupBy(d => d.Day).OrderBy(g => g.Key)
        .Select(g => new DailyUsage(g.Key, g.Sum(d => d.Allowed), g.Sum(d => d.Unauthorized), g.Sum(d => d.Forbidden),
            g.Sum(d => d.CredentialLimited), g.Sum(d => d.WorkspaceLimited)))
        .ToList();
}

public static class UsageRoutes
{
    public const string Batches = "/internal/usage/batches";

    /// <summary>How many days a report may cover at most.</summary>
    public const int MaxDays = 90;

    /// <summary>The days the dashboard's charts show.</summary>
    public const int ChartDays = 30;

    public static string Workspace(Guid workspaceId) => $"/internal/workspaces/{workspaceId}/usage";
}
