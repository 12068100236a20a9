using AlyAspire.AuthServer.Apis;
using AlyAspire.Shared.Http;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Options;

namespace AlyAspire.AuthServer.Throttling;

internal static class ThrottlingExtensions
{
    /// <summary>
    /// Per-address rate limit policies (client registration, sign-in/sign-up posts), the per-e-mail failed sign-in
    /// limit, and who the client is: X-Forwarded-For is believed only from <see cref="ThrottlingOptions.TrustedProxies"/>.
    /// </summary>
    public static IServiceCollection AddThrottling(this IServiceCollection services)
    {
        services.AddOptions<ThrottlingOptions>()
            .BindConfiguration(ThrottlingOptions.Section)
            .ValidateDataAnnotations()
            .Validate(o => TrustedProxies.AreValid(o.TrustedProxies), "Throttling:TrustedProxies must list IP addresses or CIDR networks.")
            .ValidateOnStart();

        services.AddSingleton<FailedSignInLimiter>();

        services.AddRateLimiter(options =>
        {
            options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            options.AddPolicy<string, ClientRegistrationRateLimitPolicy>(ClientRegistrationApi.RateLimitPolicy);
            options.AddPolicy<string, SignInRateLimitPolicy>(SignInRateLimitPolicy.Name);
        });

        services.AddOptions<ForwardedHeadersOptions>().Configure<IOptions<ThrottlingOptions>>((forwarded, options) =>
            forwarded.TrustForwardedForFrom(options.Value.TrustedProxies));

        return services;
    }
}
