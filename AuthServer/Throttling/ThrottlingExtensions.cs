using AlyAspire.Shared.Http;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Options;

namespace AlyAspire.AuthServer.Throttling;

internal static class ThrottlingExtensions
{
    /// <summary>
    /// The OAuth endpoints' limits per address and per client (<see cref="OAuthEndpointLimitsMiddleware"/>) and the
    /// per-e-mail failed sign-in limit, both shared through Redis; the per-address sign-in/sign-up post policy; and who the client is: X-Forwarded-For is believed only from <see cref="ThrottlingOptions.TrustedProxies"/>.
    /// </summary>
    public static IServiceCollection AddThrottling(this IServiceCollection services)
    {
        services.AddOptions<ThrottlingOptions>()
            .BindConfiguration(ThrottlingOptions.Section)
            .ValidateDataAnnotations()
            .Validate(o => TrustedProxies.AreValid(o.TrustedProxies), "Throttling:TrustedProxies must list IP addresses or CIDR networks.")
            .Validate(o => o.OAuthEndpoints.All(e => e.IsValid),
                "Throttling:Token, :Introspection, :Revocation and :Authorization need PerAddress and PerClient between 1 and 1000000.")
            .ValidateOnStart();

        services.AddSingleton<SharedWindowCounters>();
        services.AddSingleton<FailedSignInLimiter>();

        services.AddRateLimiter(options =>
        {
            options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            options.AddPolicy<string, SignInRateLimitPolicy>(SignInRateLimitPolicy.Name);
        });

        services.AddOptions<ForwardedHeadersOptions>().Configure<IOptions<ThrottlingOptions>>((forwarded, options) =>
            forwarded.TrustForwardedForFrom(options.Value.TrustedProxies));

        return services;
    }

    /// <summary>The OAuth endpoints' limits: after the forwarded headers and the JSON token rewrite, before authentication.</summary>
    public static IApplicationBuilder UseOAuthEndpointLimits(this IApplicationBuilder app) =>
        app.UseMiddleware<OAuthEndpointLimitsMiddleware>();
}
