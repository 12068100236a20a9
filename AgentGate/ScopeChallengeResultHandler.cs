using AlyAspire.Shared.Errors;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.AspNetCore.Mvc;

namespace AlyAspire.AgentGate;

/// <summary>
/// Turns a failed scope policy into RFC 6750's answer: 403 with <c>error="insufficient_scope"</c>, the scope needed
/// and the resource metadata (the MCP authorization spec's step-up signal). Everything else goes to the default handler.
/// </summary>
public sealed class ScopeChallengeResultHandler(AgentResources resources) : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        var missing = authorizeResult.AuthorizationFailure?.FailedRequirements.OfType<ScopeRequirement>().Select(r => r.Scope).ToArray();
        if (authorizeResult.Forbidden && missing is { Length: > 0 })
        {
            await WriteInsufficientScopeAsync(context, resources, string.Join(' ', missing));
            return;
        }

        await _default.HandleAsync(next, context, policy, authorizeResult);
    }

    public static Task WriteInsufficientScopeAsync(HttpContext context, AgentResources resources, string scope)
    {
        var description = $"This operation requires the '{scope}' scope.";
        context.Response.StatusCode = StatusCodes.Status403Forbidden;
        context.Response.Headers.WWWAuthenticate = BearerChallenge.Create(
            OAuthErrorCodes.InsufficientScope, description, scope, resources.MetadataUrlFor(context.Request));
        return context.Response.WriteAsJsonAsync(
            new ProblemDetails { Status = 403, Type = ProblemTypes.Forbidden, Title = "Insufficient scope", Detail = description },
            options: null, contentType: "application/problem+json", context.RequestAborted);
    }
}
