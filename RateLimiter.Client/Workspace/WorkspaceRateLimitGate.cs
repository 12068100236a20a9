using AlyAspire.RateLimiter.Client.Responses;
using AlyAspire.Shared.Credentials;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace AlyAspire.RateLimiter.Client.Workspace;

/// <summary>Marks an endpoint as counted against its caller's workspace budget.</summary>
public sealed record WorkspaceRateLimitMetadata(int Cost);

/// <summary>
/// Runs between authorization and the endpoint: counts the request against the principal's workspace
/// (<c>org</c>) and credential (<c>credential_id</c>), answers 429 when refused, and otherwise puts the
/// RateLimit headers on the response before the handler writes it.
/// </summary>
internal static class WorkspaceRateLimitGate
{
    public static async Task InvokeAsync(HttpContext context, RequestDelegate next, int cost)
    {
        var workspaceId = context.User.FindFirst(AgentClaimTypes.WorkspaceId)?.Value;
        if (context.User.Identity?.IsAuthenticated != true || string.IsNullOrEmpty(workspaceId))
        {
            // Not an agent principal (an anonymous metadata endpoint, say): nothing to count against.
            await next(context);
            return;
        }

        var limiter = context.RequestServices.GetRequiredService<IWorkspaceRateLimiter>();
        var credentialId = context.User.FindFirst(AgentClaimTypes.CredentialId)?.Value;
        var decision = await limiter.CheckAsync(workspaceId, credentialId, cost, context.RequestAborted);
        if (decision.IsAllowed)
        {
            RateLimitResponses.SetRateLimitHeaders(context.Response, decision.Quotas);
            await next(context);
        }
        else if (decision.RefusedBy is { } layer)
        {
            await RateLimitResponses.WriteRefusalAsync(context, layer, decision.RetryAfter, decision.Quotas);
        }
        else
        {
            await RateLimitResponses.WriteUnavailableAsync(context, decision.RetryAfter);
        }
    }
}
