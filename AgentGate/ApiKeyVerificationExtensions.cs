using AlyAspire.Shared.ApiKeys;
using AlyAspire.Shared.Credentials;
using AlyAspire.Shared.Internal;
using AlyAspire.Shared.Resilience;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace AlyAspire.AgentGate;

public static class ApiKeyVerificationExtensions
{
    /// <summary>
    /// Registers API key verification for an agent surface: a KeyService client of its own (service credential,
    /// <c>http://keyservice</c>, one attempt: <see cref="VerificationCalls"/>), <see cref="ApiKeyVerifier"/> (also as
    /// <see cref="ICredentialVerifier"/>), its cache and the revocation subscriber. Needs an <c>IConnectionMultiplexer</c> (<c>AddRedisClient("redis")</c>).
    /// </summary>
    public static IServiceCollection AddApiKeyVerification(this IServiceCollection services)
    {
        services.AddHttpClient(VerificationCalls.KeyServiceClient, client => client.BaseAddress = new Uri("http://keyservice"))
            .AddInternalServiceCredential(PlatformServices.KeyService)
            .AsVerificationCall();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<ApiKeyVerificationCache>();
        services.AddDependencyPipelines();
        services.TryAddSingleton<RevocationMarkers>();
        services.TryAddSingleton(typeof(SourceVerifications<>));
        // Transient like the typed ApiKeyClient it holds; the state lives in the singleton cache.
        services.TryAddTransient<ApiKeyVerifier>();
        services.AddTransient<ICredentialVerifier>(sp => sp.GetRequiredService<ApiKeyVerifier>());
        services.AddHostedService<ApiKeyRevocationSubscriber>();
        return services;
    }
}
