using AlyAspire.RateLimiter.Apis;
using AlyAspire.RateLimiter.Decisions;
using AlyAspire.RateLimiter.Infrastructure;
using AlyAspire.RateLimiter.Limits;
using AlyAspire.Shared.Errors;
using AlyAspire.Shared.Http;
using AlyAspire.Shared.Internal;
using AlyAspire.Shared.Resilience;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;

namespace AlyAspire.RateLimiter.Extensions;

internal static class Extensions
{
    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        // Fail fast while a store is down: a decision that waits is worse than one the caller makes locally.
        builder.AddResilientNpgsqlDbContext<LimitsDbContext>("limitsdb");
        builder.Services.AddMigration<LimitsDbContext>();
        builder.AddResilientRedisClient("redis");

        builder.Services.AddOptions<RateLimitOptions>()
            .BindConfiguration(RateLimitOptions.SectionName)
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<RateLimitOptions>, RateLimitOptionsValidator>();

        builder.Services.AddMemoryCache();
        builder.Services.AddSingleton<WorkspaceLimitPolicies>();
        builder.Services.AddSingleton<LimitPolicyChangeSignals>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<LimitPolicyChangeSignals>());
        builder.Services.AddSingleton<GcraDecisionStore>();
        builder.Services.AddSingleton<RateLimitingMetrics>();

        builder.Services.AddGrpc();
        builder.Services.AddOptions<KestrelServerOptions>().Configure<IConfiguration>((kestrel, configuration) =>
        {
            // Cleartext HTTP/2 (h2c, prior knowledge) needs an HTTP/2-only endpoint: without TLS there is no ALPN,
            // so an Http1AndHttp2 endpoint serves HTTP/1.1 only. The AppHost names the port of that endpoint.
            if (configuration.GetValue<int?>("RateLimiter:GrpcPort") is { } http2Port)
            {
                kestrel.ConfigureEndpointDefaults(endpoint =>
                {
                    if (endpoint.IPEndPoint?.Port == http2Port)
                    {
                        endpoint.Protocols = HttpProtocols.Http2;
                    }
                });
            }
        });
        // The agent surfaces ask for decisions and set workspace limits; the AuthServer's dashboard reads them.
        builder.Services.AddInternalServiceAuthentication(PlatformServices.StorefrontApi, PlatformServices.AuthServer);
        builder.Services.AddTrustedForwardedHeaders();
        builder.Services.Configure<RequestLimitsOptions>(options => options.ProblemType = ProblemTypes.Validation);
        // A request the endpoint could not even bind (malformed JSON, a missing body): a 400 validation problem.
        builder.Services.AddBadRequestProblems(options =>
        {
            options.Type = ProblemTypes.Validation;
            options.Title = "The request could not be read.";
            options.Detail = _ => "The body must be a JSON document of the documented shape.";
        });
    }
}
