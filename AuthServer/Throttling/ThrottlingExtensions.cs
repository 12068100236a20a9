using AlyAspire.AuthServer.Apis;
using AlyAspire.Shared.Http;

namespace AlyAspire.AuthServer.Throttling;

internal static class ThrottlingExtensions
{
    /// <summary>
    /// Per-address rate limit policies (client registration, sign-in/sign-up posts) and the per-e-mail failed sign-in
    /// limit. Who the client is comes from the forwarded headers of trusted proxies only (<see cref="TrustedProxies"/>).
    /// </summary>
    public static IServiceCollection AddThrottling(this IServiceCollection services)
    {
        services.AddOptions<ThrottlingOptions>()
            .BindConfiguration(ThrottlingOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();

        services.AddSingleton<FailedSignInLimiter>();

        services.AddRateLimiter(options =>
        {
            options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            options.AddPolicy<string, ClientRegistrationRateLimitPolicy>(ClientRegistrationApi.RateLimitPolicy);
            options.AddPolicy<string, SignInRateLimitPolicy>(SignInRateLimitPolicy.Name);
        });

        return services;
    }
}
