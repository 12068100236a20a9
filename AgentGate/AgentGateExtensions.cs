using AlyAspire.Shared.Scopes;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Hosting;

namespace AlyAspire.AgentGate;

public static class AgentGateExtensions
{
    /// <summary>
    /// The bearer gate of an agent surface: the <see cref="AgentBearerHandler"/> as the default scheme, both verifiers
    /// (each caches and honours revocation markers), one policy per scope of the catalogue, and RFC 6750 challenges
    /// (401 naming the scope, 403 <c>insufficient_scope</c>). Endpoints then ask for <see cref="AgentBearerDefaults.AuthenticatedPolicy"/>
    /// and <see cref="ScopeEndpointExtensions.RequireScope{TBuilder}"/>. Needs an <c>IConnectionMultiplexer</c> and the
    /// pre-auth penalty of the rate-limiter client.
    /// </summary>
    public static IHostApplicationBuilder AddAgentGate(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<AgentGateOptions>().BindConfiguration(AgentGateOptions.Section);
        var development = builder.Environment.IsDevelopment();
        services.AddOptions<BenchmarkOptions>().BindConfiguration(BenchmarkOptions.Section)
            .Validate(o => !o.LimitsOff || development, "Benchmark:DisableAgentGate and Benchmark:DisableRateLimits may only be set in Development.")
            .ValidateOnStart();
        services.AddSingleton<AgentResources>();

        services.AddApiKeyVerification();
        services.AddOAuthTokenVerification();

        services.AddAuthentication(AgentBearerDefaults.Scheme)
            .AddScheme<AuthenticationSchemeOptions, AgentBearerHandler>(AgentBearerDefaults.Scheme, null);

        // AgentBearer is the default scheme, so UseAuthentication has already set the principal: the policies name no
        // scheme, or authorization would authenticate every request a second time.
        var authorization = services.AddAuthorizationBuilder()
            .AddPolicy(AgentBearerDefaults.AuthenticatedPolicy, policy => policy.RequireAuthenticatedUser());
        foreach (var scope in ScopeCatalogue.Names)
        {
            authorization.AddPolicy(scope, policy => policy
                .RequireAuthenticatedUser()
                .AddRequirements(new ScopeRequirement(scope)));
        }

        services.AddSingleton<IAuthorizationHandler, ScopeRequirementHandler>();
        services.AddSingleton<IAuthorizationMiddlewareResultHandler, ScopeChallengeResultHandler>();
        return builder;
    }
}
