using AlyAspire.AuthServer.Audit;
using AlyAspire.AuthServer.OAuth;
using AlyAspire.Shared.Audit;
using AlyAspire.AuthServer.People;
using AlyAspire.AuthServer.Usage;
using AlyAspire.Shared.Scopes;
using AlyAspire.Shared.Usage;
using Microsoft.AspNetCore.Mvc;
using OpenIddict.Abstractions;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace AlyAspire.AuthServer.Pages;

public sealed record ConnectedApp(string AuthorizationId, string ClientId, string ClientName, string WorkspaceName, IReadOnlyList<string> Scopes, DateTimeOffset? CreatedAt)
{
    /// <summary>The app's requests per day under this authorization; null when usage could not be read.</summary>
    public UsageChart? Chart { get; init; }

    public DateTimeOffset? LastUsedAt { get; init; }
}

/// <summary>
/// The person's OAuth authorizations (consents), in every workspace. Revoking one revokes the authorization
/// and its tokens through the revocation-signalling managers, so resource servers refuse them on the next request.
/// </summary>
public sealed class ConnectedAppsModel(
    IOpenIddictAuthorizationManager authorizations,
    IOpenIddictApplicationManager applications,
    IOpenIddictTokenManager tokens,
    AccountService accounts,
    AuditTrail audit,
    UsageClient usage) : DashboardPageModel
{
    public IReadOnlyList<ConnectedApp> Apps { get; private set; } = [];

    public string? Message { get; private set; }

    public bool UsageUnavailable { get; private set; }

    public async Task OnGetAsync(CancellationToken ct) => await LoadAsync(ct);

    public async Task<IActionResult> OnPostRevokeAsync(string? authorizationId, CancellationToken ct)
    {
        var authorization = string.IsNullOrEmpty(authorizationId) ? null : await authorizations.FindByIdAsync(authorizationId, ct);
        // Only the person who gave a consent can withdraw it; anything else looks like "not found".
        if (authorization is null || await authorizations.GetSubjectAsync(authorization, ct) != UserId.ToString())
        {
            return NotFound();
        }

        // Revokes the authorization too, and sets its revocation marker (RevocationSignalingTokenManager).
        await tokens.RevokeByAuthorizationIdAsync(authorizationId!, ct);
        if (await authorizations.GetWorkspaceIdAsync(authorization, ct) is { } workspaceId)
        {
            var applicationId = await authorizations.GetApplicationIdAsync(authorization, ct);
            var application = applicationId is null ? null : await applications.FindByIdAsync(applicationId, ct);
            var clientId = application is null ? null : await applications.GetClientIdAsync(application, ct);
            await audit.RecordAsync(workspaceId, AuditKinds.GrantRevoked, AuditActorKinds.Person, $"user:{UserId}",
                $"client:{clientId}", AuditOutcomes.Succeeded, $"Authorization {authorizationId} revoked on the connected-apps page.", ct);
        }

        Message = "Access revoked.";
        await LoadAsync(ct);
        return Page();
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        var memberships = await accounts.MembershipsAsync(UserId, ct);
        var workspaces = memberships.ToDictionary(m => m.WorkspaceId, m => m.WorkspaceName);
        var apps = new List<ConnectedApp>();
        await foreach (var authorization in authorizations.FindBySubjectAsync(UserId.ToString(), ct))
        {
            if (await authorizations.GetStatusAsync(authorization, ct) != Statuses.Valid)
            {
                continue;
            }

            var applicationId = await authorizations.GetApplicationIdAsync(authorization, ct);
            var application = applicationId is null ? null : await applications.FindByIdAsync(applicationId, ct);
            if (application is null)
            {
                continue;
            }

            var workspaceId = await authorizations.GetWorkspaceIdAsync(authorization, ct);
            var authorizationId = (await authorizations.GetIdAsync(authorization, ct))!;
            var (chart, lastUsedAt) = await UsageOfAsync(workspaceId, authorizationId, ct);
            apps.Add(new ConnectedApp(
                authorizationId,
                (await applications.GetClientIdAsync(application, ct))!,
                await applications.GetDisplayNameAsync(application, ct) ?? "Unnamed client",
                workspaceId is { } id && workspaces.TryGetValue(id, out var name) ? name : "—",
                // What was granted, not what was asked for (older consents: the asked-for scopes the role allows).
                await authorizations.GetGrantedScopesAsync(authorization, ct)
                    ?? (await authorizations.GetScopesAsync(authorization, ct))
                        .Intersect(WorkspaceRoles.ScopesFor(memberships.FirstOrDefault(m => m.WorkspaceId == workspaceId)?.Role ?? string.Empty), StringComparer.Ordinal)
                        .ToArray(),
                await authorizations.GetCreationDateAsync(authorization, ct)) { Chart = chart, LastUsedAt = lastUsedAt });
        }

        Apps = apps.OrderByDescending(a => a.CreatedAt).ToList();
    }

    /// <summary>The requests made under one authorization (the app's grant), as the usage store counted them.</summary>
    private async Task<(UsageChart? Chart, DateTimeOffset? LastUsedAt)> UsageOfAsync(Guid? workspaceId, string authorizationId, CancellationToken ct)
    {
        if (workspaceId is not { } workspace || UsageUnavailable)
        {
            return (null, null);
        }

        try
        {
            var report = await usage.GetAsync(workspace, UsageRoutes.ChartDays, UsageCredentialKinds.OAuth, authorizationId, ct);
            var grant = report.Credentials.SingleOrDefault();
            var chart = UsageChart.For($"app-usage-{authorizationId}", "Requests of this app", grant?.Days ?? [], report.To);
            return (chart, grant?.LastUsedAt);
        }
        catch (HttpRequestException)
        {
            UsageUnavailable = true;
            return (null, null);
        }
    }
}
