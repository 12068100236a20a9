using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AlyAspire.Shared.Credentials;
using AlyAspire.Shared.Internal;
using AlyAspire.Shared.Scopes;
using AlyAspire.Shared.Team;
using AlyAspire.StorefrontApi.Infrastructure;

namespace AlyAspire.StorefrontApi.Application;

/// <param name="Status"><c>active</c> for members, <c>invited</c> for pending invitations.</param>
public sealed record TeamMemberView(Guid Id, string Email, string Role, string Status, DateTimeOffset Since);

public sealed record InviteTeamMemberRequest(string? Email, string? Role);

/// <summary>
/// The workspace's team for agents. The AuthServer is the one owner of membership: this service reads and changes it
/// only through the AuthServer's internal team API, naming the calling agent as the actor so the AuthServer applies the
/// same rules as in the dashboard (and mails the invitation). What it adds is the agents' own rule (they never invite
/// owners), the request's validation and the store's activity entry.
/// </summary>
public sealed class TeamService(HttpClient http, ICurrentWorkspace workspace, IHttpContextAccessor context, ActivityFeed activity, StoreDbContext db)
{
    public async Task<IReadOnlyList<TeamMemberView>> ListAsync(CancellationToken ct) =>
        (await http.GetFromJsonAsync<List<TeamMemberDto>>(TeamApiPaths.Team(WorkspaceId), ct) ?? []).Select(ToView).ToList();

    public async Task<StoreResult<TeamMemberView>> InviteAsync(InviteTeamMemberRequest request, CancellationToken ct)
    {
        var email = request.Email?.Trim();
        if (email is null || email.Length > 254 || email.IndexOf('@', StringComparison.Ordinal) is < 1 || email.EndsWith('@'))
        {
            return StoreError.Invalid("email", "email must be an email address.");
        }

        // Ownership is given by an owner in the dashboard, never handed out by an agent.
        if (request.Role is not (WorkspaceRoles.Admin or WorkspaceRoles.Member))
        {
            return StoreError.Invalid("role", $"role must be {WorkspaceRoles.Admin} or {WorkspaceRoles.Member}.");
        }

        using var response = await http.PostAsJsonAsync(TeamApiPaths.Invitations(WorkspaceId), new TeamInvitationRequest(Actor(), email, request.Role), ct);
        if (response.StatusCode != HttpStatusCode.Created)
        {
            return await RefusalAsync(response, ct);
        }

        var invitation = (await response.Content.ReadFromJsonAsync<TeamMemberDto>(ct))!;
        activity.Record("team.invited", $"{invitation.Email} invited as {invitation.Role}", invitation.Id);
        await db.SaveChangesAsync(ct);
        return ToView(invitation);
    }

    /// <summary>Removes a member or withdraws a pending invitation.</summary>
    public async Task<StoreResult<Done>> RemoveAsync(Guid id, CancellationToken ct)
    {
        using var response = await http.PostAsJsonAsync(TeamApiPaths.Removal(WorkspaceId, id), new TeamRemovalRequest(Actor()), ct);
        if (response.StatusCode != HttpStatusCode.NoContent)
        {
            return await RefusalAsync(response, ct);
        }

        activity.Record("team.removed", "A teammate was removed or an invitation withdrawn", id);
        await db.SaveChangesAsync(ct);
        return StoreResult.Done;
    }

    private Guid WorkspaceId => workspace.WorkspaceId ?? throw new InvalidOperationException("No workspace on this request.");

    private static TeamMemberView ToView(TeamMemberDto member) => new(member.Id, member.Email, member.Role, member.Status, member.Since);

    private TeamActorDto Actor()
    {
        var user = context.HttpContext?.User;
        var credentialId = user?.FindFirst(AgentClaimTypes.CredentialId)?.Value ?? string.Empty;
        var isOAuth = user?.FindFirst(AgentClaimTypes.CredentialKind)?.Value == nameof(CredentialKind.OAuthAccessToken);
        return isOAuth && Guid.TryParse(user!.FindFirst(AgentClaimTypes.UserId)?.Value, out var personId)
            ? new TeamActorDto("oauth", credentialId, personId)
            : new TeamActorDto("key", credentialId, null);
    }

    /// <summary>The AuthServer's refusal in the store's error vocabulary, keeping its problem type.</summary>
    private static async Task<StoreError> RefusalAsync(HttpResponseMessage response, CancellationToken ct)
    {
        var status = (int)response.StatusCode;
        if (status >= 500 || status is 401)
        {
            // The AuthServer failed, or refused our service credential: not the agent's fault, and nothing to show it.
            throw new HttpRequestException($"The AuthServer's team API answered {status}.", null, response.StatusCode);
        }

        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(ct);
        return StoreError.Refused(status,
            problem.TryGetProperty("detail", out var detail) ? detail.GetString() ?? string.Empty : string.Empty,
            problem.TryGetProperty("type", out var type) ? type.GetString() : null);
    }
}

public static class TeamServiceExtensions
{
    /// <summary>Registers <see cref="TeamService"/> against <c>http://authserver</c> with the service credential.</summary>
    public static IHttpClientBuilder AddTeamService(this IServiceCollection services) =>
        services.AddHttpClient<TeamService>(client => client.BaseAddress = new Uri("http://authserver"))
            .AddInternalServiceCredential(PlatformServices.AuthServer);
}
