using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AlyAspire.Shared.Internal;

/// <summary>
/// Service-to-service credentials, one secret per calling pair: a service accepts a caller's secret from
/// <c>Internal:Callers:&lt;caller&gt;</c> and presents its own to a callee from <c>Internal:Credentials:&lt;callee&gt;</c>
/// (both injected by the AppHost, which makes one secret parameter per pair), in <see cref="HeaderName"/>. A
/// secret authenticates its caller to that one callee only, and the principal names the caller
/// (<see cref="CallerClaim"/>), so endpoints can authorize by who is calling. Agents never hold any of them.
/// </summary>
public static class InternalServiceAuthentication
{
    public const string Scheme = "InternalService";
    public const string Policy = "InternalService";
    public const string HeaderName = "X-Aly-Service-Key";

    /// <summary>The claim naming the calling service (a <see cref="PlatformServices"/> name).</summary>
    public const string CallerClaim = "aly_service";

    public const int MinimumSecretLength = 16;

    /// <summary>Where a service finds the secret it accepts from <paramref name="caller"/>.</summary>
    public static string CallerKey(string caller) => $"Internal:Callers:{caller}";

    /// <summary>Where a service finds the secret it presents to <paramref name="callee"/>.</summary>
    public static string CredentialKey(string callee) => $"Internal:Credentials:{callee}";

    /// <summary>
    /// Accepts the named callers, each with its own configured secret (refusing to start without them), and
    /// nobody else: a secret configured for any other service is ignored. <see cref="Policy"/> requires one of them.
    /// </summary>
    public static IServiceCollection AddInternalServiceAuthentication(this IServiceCollection services, params string[] callers)
    {
        ArgumentOutOfRangeException.ThrowIfZero(callers.Length);
        services.AddOptions<InternalCallerOptions>()
            .Configure<IConfiguration>((options, configuration) =>
            {
                foreach (var caller in callers)
                {
                    options.Secrets[caller] = configuration[CallerKey(caller)] ?? string.Empty;
                }
            })
            .Validate(o => o.Secrets.Values.All(s => s.Length >= MinimumSecretLength),
                $"Internal:Callers must give each of {string.Join(", ", callers)} a secret of at least {MinimumSecretLength} characters.")
            .Validate(o => o.Secrets.Values.Distinct(StringComparer.Ordinal).Count() == o.Secrets.Count,
                "Internal:Callers must give each caller its own secret.")
            .ValidateOnStart();
        services.AddAuthentication()
            .AddScheme<AuthenticationSchemeOptions, InternalServiceAuthenticationHandler>(Scheme, null);
        services.AddAuthorizationBuilder()
            .AddPolicy(Policy, policy => policy.AddAuthenticationSchemes(Scheme).RequireClaim(CallerClaim, callers));
        return services;
    }

    /// <summary>Narrows endpoints to some of the accepted callers (e.g. decisions for the agent surfaces only).</summary>
    public static TBuilder RequireInternalCaller<TBuilder>(this TBuilder builder, params string[] callers)
        where TBuilder : IEndpointConventionBuilder =>
        builder.RequireAuthorization(policy => policy.AddAuthenticationSchemes(Scheme).RequireClaim(CallerClaim, callers));

    /// <summary>Adds this service's credential for <paramref name="callee"/> to every request of an <see cref="HttpClient"/>.</summary>
    public static IHttpClientBuilder AddInternalServiceCredential(this IHttpClientBuilder builder, string callee) =>
        builder.AddHttpMessageHandler(services => new InternalServiceCredentialHandler(services.GetRequiredService<IConfiguration>(), callee));

    /// <summary>Constant-time comparison of a presented secret with an expected one.</summary>
    public static bool Matches(string? presented, string expected)
    {
        if (string.IsNullOrEmpty(presented) || string.IsNullOrEmpty(expected))
        {
            return false;
        }

        // Hash both first so the comparison takes the same time whatever the lengths.
        var a = SHA256.HashData(Encoding.UTF8.GetBytes(presented));
        var b = SHA256.HashData(Encoding.UTF8.GetBytes(expected));
        return CryptographicOperations.FixedTimeEquals(a, b);
    }
}

/// <summary>The secret accepted from each caller, by caller name.</summary>
public sealed class InternalCallerOptions
{
    public Dictionary<string, string> Secrets { get; } = new(StringComparer.Ordinal);
}

internal sealed class InternalServiceAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    IOptions<InternalCallerOptions> callers)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!Request.Headers.TryGetValue(InternalServiceAuthentication.HeaderName, out var header))
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        // Every caller's secret is compared, whichever matches, so the time taken says nothing about which one is close.
        var presented = header.ToString();
        string? caller = null;
        foreach (var (name, secret) in callers.Value.Secrets)
        {
            if (InternalServiceAuthentication.Matches(presented, secret))
            {
                caller = name;
            }
        }

        if (caller is null)
        {
            return Task.FromResult(AuthenticateResult.Fail("The service credential is not valid."));
        }

        var identity = new ClaimsIdentity(
            [new Claim(ClaimTypes.Name, caller), new Claim(InternalServiceAuthentication.CallerClaim, caller)],
            InternalServiceAuthentication.Scheme, ClaimTypes.Name, ClaimTypes.Role);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), Scheme.Name)));
    }
}

internal sealed class InternalServiceCredentialHandler(IConfiguration configuration, string callee) : DelegatingHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var key = InternalServiceAuthentication.CredentialKey(callee);
        var secret = configuration[key] is { Length: > 0 } value ? value : throw new InvalidOperationException($"{key} is not configured.");
        request.Headers.Remove(InternalServiceAuthentication.HeaderName);
        request.Headers.TryAddWithoutValidation(InternalServiceAuthentication.HeaderName, secret);
        return base.SendAsync(request, cancellationToken);
    }
}
