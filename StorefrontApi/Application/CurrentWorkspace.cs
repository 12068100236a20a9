using System.Security.Claims;
using AlyAspire.Shared.Credentials;

namespace AlyAspire.StorefrontApi.Application;

/// <summary>The workspace and actor of the current request, as the bearer gate established them.</summary>
public interface ICurrentWorkspace
{
    /// <summary>The caller's workspace, or null outside an authenticated request (start-up, seeding).</summary>
    Guid? WorkspaceId { get; }

    /// <summary>Who acts, for the activity feed and audit: <c>key:{id}</c> or <c>oauth:{id}</c>.</summary>
    string Actor { get; }

    IReadOnlyList<string> Scopes { get; }

    /// <summary>The caller's address (after the trusted-proxy rules), for audit records; null outside a request.</summary>
    string? ClientAddress => null;
}

/// <summary>Reads the workspace from the agent principal's <c>org</c> claim.</summary>
public sealed class PrincipalWorkspace(IHttpContextAccessor httpContextAccessor) : ICurrentWorkspace
{
    private ClaimsPrincipal? User => httpContextAccessor.HttpContext?.User;

    public Guid? WorkspaceId =>
        Guid.TryParse(User?.FindFirst(AgentClaimTypes.WorkspaceId)?.Value, out var id) ? id : null;

    public string Actor => AgentPrincipal.ActorOf(User);

    public IReadOnlyList<string> Scopes =>
        User?.FindAll(AgentClaimTypes.Scope).Select(c => c.Value).ToArray() ?? [];

    public string? ClientAddress => httpContextAccessor.HttpContext?.Connection.RemoteIpAddress?.ToString();
}

public static class AgentPrincipal
{
    /// <summary>The actor form KeyService and the activity feed use: <c>key:{id}</c> for API keys, <c>oauth:{id}</c> for tokens.</summary>
    public static string ActorOf(ClaimsPrincipal? user)
    {
        var credentialId = user?.FindFirst(AgentClaimTypes.CredentialId)?.Value;
        if (credentialId is null)
        {
            return "system";
        }

        var kind = user!.FindFirst(AgentClaimTypes.CredentialKind)?.Value;
        return kind == nameof(CredentialKind.OAuthAccessToken) ? $"oauth:{credentialId}" : $"key:{credentialId}";
    }
}
