namespace AlyAspire.Shared.Team;

/// <summary>
/// Who asks the AuthServer's internal team API to act: the agent credential the StorefrontApi verified. For an OAuth
/// token the AuthServer acts with its person's current role in the workspace; for an API key with an admin's rules
/// (no owners invited, removed or re-roled).
/// </summary>
/// <param name="Kind"><c>oauth</c> or <c>key</c>.</param>
/// <param name="CredentialId">The token's or key's id (for the record).</param>
/// <param name="PersonId">The OAuth token's subject; null for keys.</param>
public sealed record TeamActorDto(string Kind, string CredentialId, Guid? PersonId);

public sealed record TeamMemberDto(Guid Id, string Email, string Role, string Status, DateTimeOffset Since);

public sealed record TeamInvitationRequest(TeamActorDto Actor, string Email, string Role);

public sealed record TeamRemovalRequest(TeamActorDto Actor);

/// <summary>The AuthServer's internal team API under <c>/internal/workspaces/{workspaceId}/team</c>.</summary>
public static class TeamApiPaths
{
    public static string Team(Guid workspaceId) => $"/internal/workspaces/{workspaceId}/team";

    public static string Invitations(Guid workspaceId) => $"{Team(workspaceId)}/invitations";

    /// <summary>Removes a member or revokes a pending invitation, whichever the id names.</summary>
    public static string Removal(Guid workspaceId, Guid id) => $"{Team(workspaceId)}/{id}/removal";

    public const string StatusActive = "active";
    public const string StatusInvited = "invited";
}
