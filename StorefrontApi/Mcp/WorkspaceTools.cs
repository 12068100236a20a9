using System.ComponentModel;
using AlyAspire.Shared.ApiKeys;
using AlyAspire.Shared.Scopes;
using AlyAspire.StorefrontApi.Apis;
using AlyAspire.StorefrontApi.Application;
using AlyAspire.StorefrontApi.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using ModelContextProtocol.Server;

namespace AlyAspire.StorefrontApi.Mcp;

/// <summary>The MCP tools of the workspace's settings, team and API keys (scopes as in <see cref="StoreTools"/>).</summary>
[McpServerToolType]
public sealed class WorkspaceTools
{
    [McpServerTool(Name = "get_workspace_settings", ReadOnly = true), Authorize(Policy = ScopeCatalogue.ManageWorkspace)]
    [Description("Gets the workspace's settings: name, support e-mail, default currency, time zone.")]
    public static async Task<WorkspaceSettingsView> GetWorkspaceSettings(WorkspaceSettingsService settings, CancellationToken cancellationToken = default) =>
        (await settings.GetAsync(cancellationToken)).ToToolResult();

    [McpServerTool(Name = "update_workspace_settings", Idempotent = true), Authorize(Policy = ScopeCatalogue.ManageWorkspace)]
    [Description("Changes the workspace's settings: only the fields given change.")]
    public static async Task<WorkspaceSettingsView> UpdateWorkspaceSettings(
        WorkspaceSettingsService settings,
        [Description("New name")] string? name = null,
        [Description("Support e-mail address")] string? supportEmail = null,
        [Description("ISO 4217 currency, e.g. EUR")] string? defaultCurrency = null,
        [Description("IANA time zone, e.g. Europe/Berlin")] string? timezone = null,
        CancellationToken cancellationToken = default) =>
        (await settings.UpdateAsync(new UpdateWorkspaceSettingsRequest(name, supportEmail, defaultCurrency, timezone), cancellationToken)).ToToolResult();

    [McpServerTool(Name = "list_team", ReadOnly = true), Authorize(Policy = ScopeCatalogue.ManageTeam)]
    [Description("Lists the workspace's teammates and pending invitations.")]
    public static Task<IReadOnlyList<TeamMemberView>> ListTeam(TeamService team, CancellationToken cancellationToken = default) =>
        team.ListAsync(cancellationToken);

    [McpServerTool(Name = "invite_teammate", Idempotent = false), Authorize(Policy = ScopeCatalogue.ManageTeam)]
    [Description("Invites a person by e-mail as admin or member; the invitation is mailed and pending until accepted.")]
    public static async Task<TeamMemberView> InviteTeammate(
        TeamService team,
        [Description("The person's e-mail address")] string email,
        [Description("admin or member")] string role,
        CancellationToken cancellationToken = default) =>
        (await team.InviteAsync(new InviteTeamMemberRequest(email, role), cancellationToken)).ToToolResult();

    [McpServerTool(Name = "remove_teammate", Destructive = true, Idempotent = false), Authorize(Policy = ScopeCatalogue.ManageTeam)]
    [Description("Removes a teammate (their credentials for this workspace stop working at once) or withdraws a pending invitation.")]
    public static async Task<string> RemoveTeammate(TeamService team, [Description("The teammate's or invitation's id")] Guid id, CancellationToken cancellationToken = default)
    {
        (await team.RemoveAsync(id, cancellationToken)).ToToolResult();
        return $"Teammate or invitation {id} removed.";
    }

    [McpServerTool(Name = "list_api_keys", ReadOnly = true), Authorize(Policy = ScopeCatalogue.ManageApiKeys)]
    [Description("Lists the workspace's API keys (never their secrets).")]
    public static async Task<IReadOnlyList<ApiKeySummary>> ListApiKeys(ApiKeyService keys, CancellationToken cancellationToken = default) =>
        (await keys.ListAsync(cancellationToken)).ToToolResult();

    [McpServerTool(Name = "create_api_key", Idempotent = false), Authorize(Policy = ScopeCatalogue.ManageApiKeys)]
    [Description("Creates an API key holding some of the caller's own scopes; its secret is returned once.")]
    public static async Task<ApiKeyWithSecret> CreateApiKey(
        ApiKeyService keys,
        [Description("A name for the key")] string name,
        [Description("Scopes, e.g. read:orders (at most the caller's own)")] string[] scopes,
        [Description("When the key expires; never when omitted")] DateTimeOffset? expiresAt = null,
        [Description("The https URL of the UCP platform profile the key is issued to; UCP requests naming another are refused")] string? platformProfile = null,
        CancellationToken cancellationToken = default) =>
        (await keys.CreateAsync(new CreateApiKeyBody(name, scopes, expiresAt, platformProfile), cancellationToken)).ToToolResult();

    [McpServerTool(Name = "revoke_api_key", Destructive = true, Idempotent = true), Authorize(Policy = ScopeCatalogue.ManageApiKeys)]
    [Description("Revokes an API key, effective immediately.")]
    public static async Task<ApiKeySummary> RevokeApiKey(ApiKeyService keys, [Description("The key's id")] Guid keyId, CancellationToken cancellationToken = default) =>
        (await keys.RevokeAsync(keyId, cancellationToken)).ToToolResult();
}
