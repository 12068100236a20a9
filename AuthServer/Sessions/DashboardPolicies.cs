using AlyAspire.Shared.Scopes;
using Microsoft.AspNetCore.Authorization;

namespace AlyAspire.AuthServer.Sessions;

/// <summary>Authorization policies of the dashboard: all on the session scheme, never on an agent credential.</summary>
public static class DashboardPolicies
{
    public const string SignedIn = "Dashboard";
    public const string ManageApiKeys = "Dashboard.ManageApiKeys";
    public const string ManageTeam = "Dashboard.ManageTeam";

    public static AuthorizationBuilder AddDashboardPolicies(this AuthorizationBuilder builder) => builder
        .AddPolicy(SignedIn, p => p.AddAuthenticationSchemes(SessionAuthenticationHandler.SchemeName).RequireAuthenticatedUser())
        .AddPolicy(ManageApiKeys, p => p.AddAuthenticationSchemes(SessionAuthenticationHandler.SchemeName).RequireAuthenticatedUser()
            .RequireClaim(SessionClaimTypes.Scope, ScopeCatalogue.ManageApiKeys))
        .AddPolicy(ManageTeam, p => p.AddAuthenticationSchemes(SessionAuthenticationHandler.SchemeName).RequireAuthenticatedUser()
            .RequireClaim(SessionClaimTypes.Scope, ScopeCatalogue.ManageTeam));
}
