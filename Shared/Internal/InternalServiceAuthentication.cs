using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AlyAspire.Shared.Internal;

/// <summary>
/// The platform's service-to-service credential: a shared secret from configuration (<c>Internal:ServiceKey</c>,
/// injected by the AppHost) sent in <see cref="HeaderName"/>. Internal endpoints (key verification, usage
/// read-outs, management on behalf of a signed-in person) require it; agents never hold it.
/// </summary>
public static class InternalServiceAuthentication
{
    public const string Scheme = "InternalService";
    public const string Policy = "InternalService";
    public const string HeaderName = "X-Aly-Service-Key";
    public const string ConfigurationKey = "Internal:ServiceKey";

    public static IServiceCollection AddInternalServiceAuthentication(this IServiceCollection services)
    {
        services.AddOptions<InternalServiceOptions>()
            .BindConfiguration("Internal")
            .Validate(o => !string.IsNullOrWhiteSpace(o.ServiceKey) && o.ServiceKey.Length >= 16,
                $"{ConfigurationKey} must be set to a secret of at least 16 characters.")
            .ValidateOnStart();
        services.AddAuthentication()
            .AddScheme<AuthenticationSchemeOptions, InternalServiceAuthenticationHandler>(Scheme, null);
        services.AddAuthorizationBuilder()
            .AddPolicy(Policy, policy => policy.AddAuthenticationSchemes(Scheme).RequireAuthenticatedUser());
        return services;
    }

    /// <summary>Adds the service credential to every request of an <see cref="HttpClient"/>.</summary>
    public static IHttpClientBuilder AddInternalServiceCredential(this IHttpClientBuilder builder)
    {
        builder.Services.AddTransient<InternalServiceCredentialHandler>();
        return builder.AddHttpMessageHandler<InternalServiceCredentialHandler>();
    }

    /// <summary>Constant-time comparison of a presented key with the configured one.</summary>
    public static bool Matches(string? presented, string expected)
    {
        if (string.IsNullOrEmpty(presented))
        {
            return false;
        }

        // Hash both first so the comparison takes the same time whatever the lengths.
        var a = SHA256.HashData(Encoding.UTF8.GetBytes(presented));
        var b = SHA256.HashData(Encoding.UTF8.GetBytes(expected));
        return CryptographicOperations.FixedTimeEquals(a, b);
    }
}

public sealed class InternalServiceOptions
{
    public string ServiceKey { get; set; } = string.Empty;
}

internal sealed class InternalServiceAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    IOptions<InternalServiceOptions> serviceOptions)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!Request.Headers.TryGetValue(InternalServiceAuthentication.HeaderName, out var presented))
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        if (!InternalServiceAuthentication.Matches(presented.ToString(), serviceOptions.Value.ServiceKey))
        {
            return Task.FromResult(AuthenticateResult.Fail("The service credential is not valid."));
        }

        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, "platform-service")], InternalServiceAuthentication.Scheme);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), Scheme.Name)));
    }
}

internal sealed class InternalServiceCredentialHandler(IConfiguration configuration) : DelegatingHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var key = configuration[InternalServiceAuthentication.ConfigurationKey]
            ?? throw new InvalidOperationException($"{InternalServiceAuthentication.ConfigurationKey} is not configured.");
        request.Headers.Remove(InternalServiceAuthentication.HeaderName);
        request.Headers.TryAddWithoutValidation(InternalServiceAuthentication.HeaderName, key);
        return base.SendAsync(request, cancellationToken);
    }
}
