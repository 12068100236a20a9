using System.Globalization;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;

namespace AlyAspire.Tests.Infrastructure;

/// <summary>
/// Environment the end-to-end stack gets under test, on top of the AppHost's own: settings that make
/// behaviour observable quickly (e.g. proxies trusted so tests can speak for many client IPs).
/// </summary>
internal static class TestStackSettings
{
    /// <summary>Client registrations the AuthServer allows per address per minute under test.</summary>
    public const int RegistrationPermitsPerMinute = 1000;

    /// <summary>Sign-in and sign-up posts the AuthServer allows per address per minute under test.</summary>
    public const int SignInPostsPerMinute = 300;

    /// <summary>How long an unverified domain claim holds under test (72 hours in production).</summary>
    public static readonly TimeSpan PendingDomainClaimLifetime = TimeSpan.FromSeconds(15);

    /// <summary>Token requests the AuthServer allows per client id per minute under test (per address: practically unlimited).</summary>
    public const int TokenRequestsPerClient = 20;

    public static void Apply(IDistributedApplicationTestingBuilder appHost) => Apply(appHost, Settings);

    /// <summary>Sets environment variables of resources; added after the AppHost's own, so they win.</summary>
    public static void Apply(IDistributedApplicationTestingBuilder appHost, IEnumerable<(string Resource, string Name, string Value)> settings)
    {
        foreach (var (resource, name, value) in settings)
        {
            var target = appHost.Resources.OfType<IResourceWithEnvironment>().Single(r => r.Name == resource);
            target.Annotations.Add(new EnvironmentCallbackAnnotation(name, () => value));
        }
    }

    private static readonly (string Resource, string Name, string Value)[] Settings =
    [
        // The agent surfaces send their usage counts every second instead of every two, so usage tests converge quickly.
        ("storefrontapi", "Usage__FlushInterval", "00:00:01"),
        // The test host reaches the StorefrontApi replicas through the loopback proxy: trust its X-Forwarded-For,
        // so per-IP tests can speak for many client addresses.
        ("storefrontapi", "ForwardedHeaders__TrustedProxies__0", "127.0.0.1"),
        ("storefrontapi", "ForwardedHeaders__TrustedProxies__1", "::1"),
        // Every test registers its own OAuth clients, and signs people in, from one address; the AuthServer believes
        // the loopback proxy's X-Forwarded-For too, so its per-address limits can be tested from made-up addresses.
        ("authserver", "OAuth__RegistrationPermitsPerMinute", RegistrationPermitsPerMinute.ToString(CultureInfo.InvariantCulture)),
        ("authserver", "Throttling__SignInPostsPerMinute", SignInPostsPerMinute.ToString(CultureInfo.InvariantCulture)),
        ("authserver", "ForwardedHeaders__TrustedProxies__0", "127.0.0.1"),
        ("authserver", "ForwardedHeaders__TrustedProxies__1", "::1"),
        // Every test speaks to the OAuth endpoints from loopback: per address, far more than the suite sends; per
        // client id, the token endpoint tight enough to test (each test's clients make a handful of token requests).
        // This machine is shared and loaded: a Redis count can take longer than the production deadline, and a count
        // made locally instead would split a test's counts between Redis and the instance.
        ("authserver", "Throttling__RedisDeadline", "00:00:02"),
        ("authserver", "Throttling__Token__PerAddress", "1000000"),
        ("authserver", "Throttling__Token__PerClient", TokenRequestsPerClient.ToString(CultureInfo.InvariantCulture)),
        ("authserver", "Throttling__Introspection__PerAddress", "1000000"),
        ("authserver", "Throttling__Revocation__PerAddress", "1000000"),
        ("authserver", "Throttling__Revocation__PerClient", "1000000"),
        ("authserver", "Throttling__Authorization__PerAddress", "1000000"),
        ("authserver", "Throttling__Authorization__PerClient", "1000000"),
        // Client ID metadata documents: the tests publish them on a local https server (MetadataDocumentHost); the
        // Development allow-list lets the AuthServer reach that one host on loopback and trust its certificate.
        ("authserver", "OAuth__ClientMetadataDocuments__DevelopmentAllowedHosts__0", AuthServer.MetadataDocumentHost.HostName),
        ("authserver", "OAuth__ClientMetadataDocuments__DevelopmentTrustedCertificate", AuthServer.MetadataDocumentHost.CertificateBase64),
        // A loaded test machine can take longer than production's 5 s for a first TLS handshake.
        ("authserver", "OAuth__ClientMetadataDocuments__FetchTimeout", "00:00:30"),
    ];
}
