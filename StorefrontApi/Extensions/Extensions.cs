using AlyAspire.AgentGate;
using AlyAspire.Shared.ApiKeys;
using AlyAspire.Shared.Audit;
using AlyAspire.Shared.Errors;
using AlyAspire.Shared.Http;
using AlyAspire.Shared.Resilience;
using AlyAspire.Shared.Scopes;
using AlyAspire.StorefrontApi.Apis;
using AlyAspire.StorefrontApi.Application;
using AlyAspire.StorefrontApi.Infrastructure;
using AlyAspire.StorefrontApi.Mcp;
using AlyAspire.StorefrontApi.OpenApi;
using AlyAspire.StorefrontApi.Usage;
using AlyAspire.Shared.Usage;
using AlyAspire.Shared.Internal;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.EntityFrameworkCore;
using Scalar.AspNetCore;

namespace AlyAspire.StorefrontApi.Extensions;

internal static class Extensions
{
    /// <summary>The largest request Kestrel reads at all; merchant endpoints allow far less (<see cref="MerchantApi.MaxRequestBodyBytes"/>).</summary>
    private const long MaxRequestBodyBytes = 1024 * 1024;

    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;

        // Data: not pooled, because each context binds its query filters to the request's workspace.
        services.AddHttpContextAccessor();
        services.AddScoped<ICurrentWorkspace, PrincipalWorkspace>();
        // Deadlines and breakers on both stores (DependencyPipelines): a stalled one answers 503 + Retry-After, never a hang.
        builder.AddResilientNpgsqlDbContext<StoreDbContext>("storedb");
        services.AddOptions<DemoWorkspaceOptions>().BindConfiguration(DemoWorkspaceOptions.Section);
        services.AddMigration<StoreDbContext>(StoreSeed.SeedAsync);
        builder.AddResilientRedisClient("redis");

        // Merchant domain, shared by the REST API and the MCP tools.
        services.AddScoped<ActivityFeed>();
        services.AddSingleton<StoreProvisioning>();
        services.AddTeamService();
        services.AddScoped<StoreProvisioningFilter>();
        services.AddScoped<OrderService>();
        services.AddScoped<CatalogService>();
        services.AddScoped<CustomerService>();
        services.AddScoped<DomainService>();
        services.AddOptions<DomainOptions>().BindConfiguration(DomainOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<IDnsTxtResolver, DnsTxtResolver>();
        services.AddScoped<AnalyticsService>();
        services.AddScoped<SiteService>();
        services.AddScoped<MediaService>();
        services.AddScoped<VoiceAgentService>();
        services.AddScoped<WorkspaceSettingsService>();
        services.AddApiKeyClient();
        services.AddScoped<ApiKeyService>();
        services.AddScoped<CheckoutService>();
        services.AddScoped<IdempotentRequests>();

        builder.AddAgentAccess();
        builder.AddUsageMetering();
        // The Development-only operations (DevelopmentApi) are for the AppHost's dashboard commands, with their own secret.
        if (builder.Environment.IsDevelopment())
        {
            services.AddInternalServiceAuthentication(PlatformServices.AspireDashboard);
        }

        services.AddMcpServer()
            .WithHttpTransport(options => options.Stateless = true) // replicas share no session state
            .AddAuthorizationFilters()
                        // One call per type: in 2.4.0 WithTools(IEnumerable<Type>) registers the tools but not the tools capability.
            .WithTools<StoreTools>()
            .WithTools<SiteTools>()
            .WithTools<WorkspaceTools>();

        services.AddOpenApi(options =>
        {
            options.AddDocumentTransformer<AgentSecurityDocumentTransformer>();
            options.AddOperationTransformer<RequiredScopeOperationTransformer>();
        });

        services.AddBadRequestProblems(options =>
        {
            options.Type = ProblemTypes.Validation;
            options.Title = "The request could not be read";
            options.PayloadTooLargeType = ProblemTypes.PayloadTooLarge;
            options.PayloadTooLargeTitle = "The request body is too large";
            // The framework's message names the parameter and the problem (e.g. "Failed to read parameter ... as JSON"), never a secret.
            options.Detail = badRequest => badRequest.Message;
        });
        services.Configure<RequestLimitsOptions>(options =>
        {
            options.ProblemType = ProblemTypes.Validation;
            options.PayloadTooLargeProblemType = ProblemTypes.PayloadTooLarge;
        });
        services.AddTrustedForwardedHeaders();
        // Binding failures throw, so the exception handler answers them as problems in every environment.
        services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);
        services.Configure<KestrelServerOptions>(options => options.Limits.MaxRequestBodySize = MaxRequestBodyBytes);
    }

    /// <summary>The bearer gate (AgentGate), the audit client behind /merchant/audit-events, and both rate-limit layers.</summary>
    private static void AddAgentAccess(this IHostApplicationBuilder builder)
    {
        builder.AddAgentGate();
        // The workspace's audit log lives in the AuthServer; /merchant/audit-events reads it there.
        builder.Services.AddAuditClient();
        builder.AddAgentRateLimiting();
    }

    /// <summary>Exact usage: every identified request counted in memory, sent to the usage store in idempotent batches.</summary>
    private static void AddUsageMetering(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<UsageMeteringOptions>().BindConfiguration(UsageMeteringOptions.Section)
            .Validate(o => o.FlushInterval > TimeSpan.Zero && o.FlushInterval <= TimeSpan.FromMinutes(1), "Usage:FlushInterval must be between zero and one minute.")
            .Validate(o => o.ShutdownFlushTimeout > TimeSpan.Zero, "Usage:ShutdownFlushTimeout must be positive.")
            .ValidateOnStart();
        services.AddSingleton<UsageMeter>();
        services.AddUsageClient();
        services.AddHostedService<UsageFlusher>();
    }

    /// <summary>
    /// Pipeline order of the agent surfaces: per-IP limit → usage metering → gate (authentication) → scope policy (authorization, and
    /// the MCP tool's scope) → per-workspace limit (wrapped around each endpoint, see <see cref="WithAgentLimits"/>) → handler.
    /// </summary>
    public static WebApplication UseAgentGate(this WebApplication app)
    {
        if (!LimitsOffForBenchmark(app))
        {
            app.UsePreAuthRateLimiting();
        }

        // Around the gate and everything after it: counts each identified request once its answer is known.
        app.UseMiddleware<UsageMeteringMiddleware>();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseMiddleware<McpToolScopeMiddleware>();
        return app;
    }

    public static WebApplication MapStoreMcp(this WebApplication app)
    {
        app.MapMcp(AgentResources.McpPath)
            .RequireAuthorization(AgentBearerDefaults.AuthenticatedPolicy)
            .WithAgentLimits(app)
            .WithMetadata(new AdvertisedScopesMetadata(StoreToolScopes.All), new RequestSizeLimitAttribute(MerchantApi.MaxRequestBodyBytes))
            .ExcludeFromDescription();
        return app;
    }

    /// <summary>Counts the endpoints' requests against the caller's workspace budget (not when a benchmark switched the limits off).</summary>
    public static TBuilder WithAgentLimits<TBuilder>(this TBuilder builder, WebApplication app) where TBuilder : IEndpointConventionBuilder =>
        LimitsOffForBenchmark(app) ? builder : builder.RequireWorkspaceRateLimit();

    // Validated at start-up (BenchmarkOptions): outside Development the host refuses to start with either switch set.
    private static bool LimitsOffForBenchmark(WebApplication app) =>
        app.Configuration.GetSection(BenchmarkOptions.Section).Get<BenchmarkOptions>()?.LimitsOff == true;

    /// <summary>The OpenAPI document (<c>/openapi/v1.json</c>) and its Scalar reference page (<c>/scalar</c>): public, like any API's docs.</summary>
    public static WebApplication MapApiReference(this WebApplication app)
    {
        app.MapOpenApi().AllowAnonymous();
        app.MapScalarApiReference(options => options.WithTitle("AlyAspire Storefront API")).AllowAnonymous();
        return app;
    }
}
