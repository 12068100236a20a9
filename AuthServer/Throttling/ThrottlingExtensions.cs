using AlyAspire.Shared.Http;

namespace AlyAspire.AuthServer.Throttling;

internal static class ThrottlingExtensions
{
    /// <summary>
    /// The OAuth endpoints' limits per address and per client (<see cref="OAuthEndpointLimitsMiddleware"/>) and the
    /// per-e-mail failed sign-in limit, both shared through Redis, and the per-address sign-in/sign-up post policy.
    /// Who the client is comes from the forwarded headers of trusted proxies only (<see cref="TrustedProxies"/>).
    /// </summary>
    public static IServiceCollection AddThrottling(this IServiceCollection services)
    {
        services.AddOptions<ThrottlingOptions>()
            .BindConfiguration(ThrottlingOptions.Section)
            .ValidateDataAnnotations()
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

        return services;
    }

    /// <summary>The OAuth endpoints' limits: after the forwarded headers and the JSON token rewrite, before authentication.</summary>
    public static IApplicationBuilder UseOAuthEndpointLimits(this IApplicationBuilder app) =>
        app.UseMiddleware<OAuthEndpointLimitsMiddleware>();
}
