using AlyAspire.Shared.Scopes;

namespace AlyAspire.AgentGate;

/// <summary>What a 401 challenge names as the scope to ask for (RFC 6750 §3 <c>scope</c>).</summary>
public interface IScopeHintMetadata
{
    string ScopeHint { get; }
}

/// <summary>Endpoint metadata naming the scope an operation needs: read by the 401 challenge and the OpenAPI document.</summary>
public sealed record RequiredScopeMetadata(string Scope) : IScopeHintMetadata
{
    public string ScopeHint => Scope;
}

/// <summary>Endpoint metadata for an endpoint that serves several operations (MCP): the scopes a client may need there.</summary>
public sealed record AdvertisedScopesMetadata(IReadOnlyList<string> Scopes) : IScopeHintMetadata
{
    public string ScopeHint { get; } = string.Join(' ', Scopes);
}

/// <summary>The authorization requirement behind each scope policy: the principal carries the scope claim.</summary>
public sealed class ScopeRequirement(string scope) : Microsoft.AspNetCore.Authorization.IAuthorizationRequirement
{
    public string Scope { get; } = scope;
}

public sealed class ScopeRequirementHandler : Microsoft.AspNetCore.Authorization.AuthorizationHandler<ScopeRequirement>
{
    protected override Task HandleRequirementAsync(Microsoft.AspNetCore.Authorization.AuthorizationHandlerContext context, ScopeRequirement requirement)
    {
        if (context.User.HasClaim(Shared.Credentials.AgentClaimTypes.Scope, requirement.Scope))
        {
            context.Succeed(requirement);
        }

        return Task.CompletedTask;
    }
}

public static class ScopeEndpointExtensions
{
    /// <summary>Requires a scope of the catalogue (policy named after the scope) and records it for challenges and OpenAPI.</summary>
    public static TBuilder RequireScope<TBuilder>(this TBuilder builder, string scope) where TBuilder : IEndpointConventionBuilder
    {
        if (!ScopeCatalogue.IsKnown(scope))
        {
            throw new ArgumentException($"'{scope}' is not in the scope catalogue.", nameof(scope));
        }

        return builder.RequireAuthorization(scope).WithMetadata(new RequiredScopeMetadata(scope));
    }
}
