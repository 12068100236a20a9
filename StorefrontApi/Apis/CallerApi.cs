using System.Security.Claims;
using AlyAspire.Shared.Credentials;

namespace AlyAspire.StorefrontApi.Apis;

/// <summary>
/// <c>GET …/merchant/me</c>: the calling credential as the platform sees it (workspace, kind, scopes), so an agent
/// can tell what it may do before it tries. Needs no scope beyond a valid credential; never echoes a secret.
/// </summary>
public static class CallerApi
{
    public static RouteGroupBuilder MapCallerApi(this RouteGroupBuilder merchant)
    {
        merchant.MapGet("/me", Me).WithTags("Caller").WithSummary("The calling credential: its workspace, kind and scopes");
        return merchant;
    }

    public static CallerView Me(ClaimsPrincipal user) => new(
        user.FindFirstValue(AgentClaimTypes.WorkspaceId)!,
        user.FindFirstValue(AgentClaimTypes.CredentialKind)!,
        user.FindFirstValue(AgentClaimTypes.CredentialId)!,
        user.FindFirstValue(AgentClaimTypes.UserId),
        user.FindFirstValue(AgentClaimTypes.ClientId),
        user.FindAll(AgentClaimTypes.Scope).Select(c => c.Value).Order(StringComparer.Ordinal).ToArray());
}

public sealed record CallerView(string WorkspaceId, string CredentialKind, string CredentialId, string? UserId, string? ClientId, IReadOnlyList<string> Scopes);
