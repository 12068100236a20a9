namespace AlyAspire.Shared.Audit;

// The AuthServer's audit-log contract, shared with the services that write to it (KeyService) or read it
// (StorefrontApi). Internal routes: they require the platform's service credential.

/// <summary>An event as another service reports it; <paramref name="SourceEventId"/> makes a redelivery harmless.</summary>
public sealed record AuditEventSubmission(
    string SourceEventId,
    DateTimeOffset OccurredAt,
    string Kind,
    string ActorKind,
    string ActorId,
    string? ClientAddress,
    string? Target,
    string Outcome,
    string? Detail);

/// <summary>An audit event as people and agents read it.</summary>
public sealed record AuditEventView(
    long Id,
    DateTimeOffset OccurredAt,
    string Kind,
    string ActorKind,
    string ActorId,
    string? ClientAddress,
    string? Target,
    string Outcome,
    string? Detail);

public sealed record AuditEventPage(IReadOnlyList<AuditEventView> Items, int Page, int PageSize, int Total);

public static class AuditRoutes
{
    public static string Events(Guid workspaceId) => $"/internal/workspaces/{workspaceId}/audit-events";
}

/// <summary>The kinds of actor in the log.</summary>
public static class AuditActorKinds
{
    public const string Person = "person";
    public const string ApiKey = "api_key";
    public const string OAuthClient = "oauth_client";
    public const string System = "system";
}

public static class AuditOutcomes
{
    public const string Succeeded = "succeeded";
    public const string Failed = "failed";
    public const string Refused = "refused";
}

/// <summary>The kinds of event (dotted: area.what); their one home.</summary>
public static class AuditKinds
{
    public const string KeyCreated = "key.created";
    public const string KeyRolled = "key.rolled";
    public const string KeyRevoked = "key.revoked";
    public const string ConsentGranted = "oauth.consent_granted";
    public const string ConsentDenied = "oauth.consent_denied";
    public const string GrantRevoked = "oauth.grant_revoked";
    public const string SignInSucceeded = "signin.succeeded";
    public const string SignInFailed = "signin.failed";
    public const string MemberAdded = "membership.added";
    public const string MemberRemoved = "membership.removed";
    public const string RoleChanged = "membership.role_changed";
    public const string InvitationSent = "invitation.sent";
    public const string InvitationAccepted = "invitation.accepted";
    public const string InvitationRevoked = "invitation.revoked";

    /// <summary>The areas a filter can name (<c>key</c> matches every <c>key.*</c>).</summary>
    public static readonly string[] Areas = ["key", "oauth", "signin", "membership", "invitation"];
}
