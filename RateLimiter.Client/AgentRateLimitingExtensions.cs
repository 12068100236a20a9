using System.Threading.RateLimiting;
using AlyAspire.RateLimiter.Client;
using AlyAspire.RateLimiter.Client.PreAuth;
using AlyAspire.RateLimiter.Client.Responses;
using AlyAspire.RateLimiter.Client.Workspace;
using AlyAspire.RateLimiter.Protos;
using AlyAspire.Shared.Http;
using AlyAspire.Shared.Internal;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Rate limiting for the agent surfaces: the per-IP layer before authentication, and the per-workspace layer
/// (decided by the RateLimiter service) after authorization. Both answer refusals the same way.
/// </summary>
public static class AgentRateLimitingExtensions
{
    /// <summary>The RateLimiter's decision endpoint (its HTTP/2-only "grpc" endpoint) by service discovery.</summary>
    public const string RateLimiterAddress = "http://_grpc.ratelimiter";

    /// <summary>
    /// Registers the decision client (<see cref="IWorkspaceRateLimiter"/>), the pre-auth limiter and its
    /// <see cref="IPreAuthPenalty"/>, and binds <c>RateLimits</c> (<see cref="AgentRateLimitingOptions"/>).
    /// </summary>
    public static IHostApplicationBuilder AddAgentRateLimiting(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<AgentRateLimitingOptions>()
            .BindConfiguration(AgentRateLimitingOptions.SectionName)
            .Validate(o => o.DecisionTimeout > TimeSpan.Zero && o.RemoteRetryInterval >= TimeSpan.Zero,
                "RateLimits:DecisionTimeout must be positive and RateLimits:RemoteRetryInterval not negative.")
            .Validate(o => o.PreAuth is { TokenLimit: > 0, TokensPerPeriod: > 0, FailedVerificationCost: >= 0 } && o.PreAuth.ReplenishmentPeriod > TimeSpan.Zero,
                "RateLimits:PreAuth needs a positive TokenLimit, TokensPerPeriod and ReplenishmentPeriod, and a FailedVerificationCost of 0 or more.")
            .Validate(o => o.Fallback is { RequestsPerWindow: > 0, Burst: > 0 } && o.Fallback.Window >= TimeSpan.FromSeconds(1),
                "RateLimits:Fallback needs a positive RequestsPerWindow and Burst and a Window of at least one second.")
            .Validate(o => o.Leases is { MaxUnits: >= 1 and <= 10_000 } && o.Leases.Horizon > TimeSpan.Zero && o.Leases.Lifetime > TimeSpan.Zero,
                "RateLimits:Leases needs MaxUnits between 1 and 10000 and a positive Horizon and Lifetime.")
            .ValidateOnStart();

        // The decision client: one persistent HTTP/2 (h2c) connection pool to the RateLimiter. No retries or
        // resilience timeouts: a decision sits on every request's path, so its own deadline and the failure
        // mode stand in for them. No HttpClient logging either (four log lines per agent request at the
        // default level): its traces and the decision metrics already record every call.
#pragma warning disable EXTEXP0001 // Experimental, but the documented way to undo the service defaults' resilience for one client.
        services.AddGrpcClient<RateLimitDecisions.RateLimitDecisionsClient>(o => o.Address = new Uri(RateLimiterAddress))
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler
            {
                EnableMultipleHttp2Connections = true,
                PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
                KeepAlivePingDelay = TimeSpan.FromSeconds(30),
                KeepAlivePingTimeout = TimeSpan.FromSeconds(10),
            })
            .AddInternalServiceCredential(PlatformServices.RateLimiter)
            .RemoveAllLoggers()
            .RemoveAllResilienceHandlers();
#pragma warning restore EXTEXP0001

        services.AddMemoryCache();
        services.AddSingleton<AgentRateLimitingMetrics>();
        services.AddSingleton<LocalWorkspaceRateLimiter>();
        services.AddSingleton<DecisionLeases>();
        services.AddSingleton<IWorkspaceRateLimiter, RemoteWorkspaceRateLimiter>();
        services.AddSingleton<PreAuthRateLimiter>();
        services.AddSingleton<IPreAuthPenalty>(sp => sp.GetRequiredService<PreAuthRateLimiter>());

        services.AddRateLimiter(_ => { });
        services.AddOptions<RateLimiterOptions>().Configure<PreAuthRateLimiter>((options, limiter) =>
        {
            options.GlobalLimiter = limiter;
            options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            options.OnRejected = (context, _) =>
            {
                limiter.CountRefusal();
                var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromSeconds(1);
                return new ValueTask(RateLimitResponses.WriteRefusalAsync(
                    context.HttpContext, RateLimitLayer.PreAuth, retryAfter, [limiter.RefusedQuota(retryAfter)]));
            };
        });

        return builder;
    }

    /// <summary>
    /// The per-IP layer. Call it after <c>UseTrustedForwardedHeaders</c> (the client's address behind a trusted proxy)
    /// and before <c>UseAuthentication</c>, so refused requests never reach a verifier.
    /// </summary>
    public static IApplicationBuilder UsePreAuthRateLimiting(this IApplicationBuilder app)
    {
        app.UseRateLimiter();
        return app;
    }

    /// <summary>
    /// Counts each request to these endpoints against its principal's workspace (and credential) budget,
    /// after authorization: refused requests get the 429, allowed ones carry the RateLimit headers.
    /// </summary>
    public static TBuilder RequireWorkspaceRateLimit<TBuilder>(this TBuilder builder, int cost = 1)
        where TBuilder : IEndpointConventionBuilder
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(cost, 1);
        builder.Add(endpoint =>
        {
            // Wrapping the endpoint's delegate (rather than an endpoint filter) covers every kind of endpoint,
            // route handlers and plain RequestDelegates (the MCP endpoint) alike, and still runs after
            // authorization, which has happened by the time an endpoint executes.
            var next = endpoint.RequestDelegate ?? throw new InvalidOperationException($"Endpoint '{endpoint.DisplayName}' has no request delegate to limit.");
            endpoint.Metadata.Add(new WorkspaceRateLimitMetadata(cost));
            endpoint.RequestDelegate = context => WorkspaceRateLimitGate.InvokeAsync(context, next, cost);
        });
        return builder;
    }
}
