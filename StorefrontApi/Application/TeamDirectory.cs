using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AlyAspire.Shared.Credentials;
using AlyAspire.Shared.Internal;
using AlyAspire.Shared.Team;

namespace AlyAspire.StorefrontApi.Application;

/// <summary>A refusal from the AuthServer's team API, carried to the agent as the same problem.</summary>
public sealed record TeamRefusal(int Status, string Type, string Detail);

/// <summary>
/// The workspace's team as the AuthServer keeps it (the one owner of membership): the StorefrontApi reads and changes
/// it only through the AuthServer's internal team API, with the calling agent named as the actor so the AuthServer
/// applies the same rules as in the dashboard.
/// </summary>
public sealed class TeamDirectory(HttpClient http, ICurrentWorkspace workspace, IHttpContextAccessor context)
{
    public async Task<List<TeamMemberDto>> ListAsync(CancellationToken ct) =>
        await http.GetFromJsonAsync<List<TeamMemberDto>>(TeamApiPaths.Team(WorkspaceId), ct) ?? [];

    public async Task<(TeamMemberDto? Invitation, TeamRefusal? Refusal)> InviteAsync(string email, string role, CancellationToken ct)
    {
        using var response = await http.PostAsJsonAsync(TeamApiPaths.Invitations(WorkspaceId), new TeamInvitationRequest(Actor(), email, role), ct);
        return response.StatusCode == HttpStatusCode.Created
            ? (await response.Content.ReadFromJsonAsync<TeamMemberDto>(ct), null)
            : (null, await RefusalAsync(response, ct));
    }

    /// <summary>Removes a member or withdraws a pending invitation; null when done.</summary>
    public async Task<TeamRefusal?> RemoveAsync(Guid id, CancellationToken ct)
    {
        using var response = await http.PostAsJsonAsync(TeamApiPaths.Removal(WorkspaceId, id), new TeamRemovalRequest(Actor()), ct);
        return response.StatusCode == HttpStatusCode.NoContent ? null : await RefusalAsync(response, ct);
    }

    private Guid WorkspaceId => workspace.WorkspaceId ?? throw new InvalidOperationException("No workspace on this request.");

    private TeamActorDto Actor()
    {
        var user = context.HttpContext?.User;
        var credentialId = user?.FindFirst(AgentClaimTypes.CredentialId)?.Value ?? string.Empty;
        var isOAuth = user?.FindFirst(AgentClaimTypes.CredentialKind)?.Value == nameof(CredentialKind.OAuthAccessToken);
        return isOAuth && Guid.TryParse(user!.FindFirst(AgentClaimTypes.UserId)?.Value, out var personId)
            ? new TeamActorDto("oauth", credentialId, personId)
            : new TeamActorDto("key", credentialId, null);
    }

    private static async Task<TeamRefusal> RefusalAsync(HttpResponseMessage response, CancellationToken ct)
    {
        var status = (int)response.StatusCode;
        if (status >= 500 || status is 401)
        {
            // The AuthServer failed, or refused our service credential: not the agent's fault, and nothing to show it.
            throw new HttpRequestException($"The AuthServer's team API answered {status}.", null, response.StatusCode);
        }

        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(ct);
        return new TeamRefusal(status,
            problem.TryGetProperty("type", out var type) ? type.GetString() ?? string.Empty : string.Empty,
            problem.TryGetProperty("detail", out var detail) ? detail.GetString() ?? string.Empty : string.Empty);
    }
}

public static class TeamDirectoryExtensions
{
    /// <summary>Registers <see cref="TeamDirectory"/> against <c>http://authserver</c> with the service credential.</summary>
    public static IHttpClientBuilder AddTeamDirectory(this IServiceCollection services) =>
        services.AddHttpClient<TeamDirectory>(client => client.BaseAddress = new Uri("http://authserver"))
            .AddInternalServiceCredential(PlatformServices.AuthServer);
}
