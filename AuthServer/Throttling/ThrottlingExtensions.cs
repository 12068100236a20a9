using System.Net;
using AlyAspire.AuthServer.Apis;
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
            .Validate(o => ThrottlingOptions.AreProxies(o.TrustedProxies), "Throttling:TrustedProxies must list IP addresses or CIDR networks.")
            .ValidateOnStart();

        services.AddSingleton<FailedSignInLimiter>();

        services.AddRateLimiter(options =>
        {
            options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            options.AddPolicy<string, ClientRegistrationRateLimitPolicy>(ClientRegistrationApi.RateLimitPolicy);
            options.AddPolicy<string, SignInRateLimitPolicy>(SignInRateLimitPolicy.Name);
        });

        // The framework's default trust of loopback is dropped: nothing is trusted unless configured.
        services.AddOptions<ForwardedHeadersOptions>().Configure<IOptions<ThrottlingOptions>>((forwarded, options) =>
        {
            forwarded.ForwardedHeaders = ForwardedHeaders.XForwardedFor;
            forwarded.KnownIPNetworks.Clear();
            forwarded.KnownProxies.Clear();
            foreach (var proxy in options.Value.TrustedProxies)
            {
                if (IPAddress.TryParse(proxy, out var address))
                {
                    forwarded.KnownProxies.Add(address);
                }
                else
                {
                    forwarded.KnownIPNetworks.Add(System.Net.IPNetwork.Parse(proxy));
                }
            }
        });

        return services;
    }
}
