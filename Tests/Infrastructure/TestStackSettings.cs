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

    public static void Apply(IDistributedApplicationTestingBuilder appHost)
    {
        foreach (var (resource, name, value) in Settings)
        {
            var target = appHost.Resources.OfType<IResourceWithEnvironment>().Single(r => r.Name == resource);
            target.Annotations.Add(new EnvironmentCallbackAnnotation(name, () => value));
        }
    }

    private static readonly (string Resource, string Name, string Value)[] Settings =
    [
        // Key usage is written every second instead of every five, so usage tests converge quickly.
        ("keyservice", "ApiKeys__UsageFlushInterval", "00:00:01"),
        // The test host reaches the StorefrontApi replicas through the loopback proxy: trust its X-Forwarded-For,
        // so per-IP tests can speak for many client addresses.
        ("storefrontapi", "RateLimits__PreAuth__TrustedProxies__0", "127.0.0.1"),
        ("storefrontapi", "RateLimits__PreAuth__TrustedProxies__1", "::1"),
        // Every test registers its own OAuth clients, and signs people in, from one address; the AuthServer believes
        // the loopback proxy's X-Forwarded-For too, so its per-address limits can be tested from made-up addresses.
        ("authserver", "OAuth__RegistrationPermitsPerMinute", RegistrationPermitsPerMinute.ToString(CultureInfo.InvariantCulture)),
        ("authserver", "Throttling__SignInPostsPerMinute", SignInPostsPerMinute.ToString(CultureInfo.InvariantCulture)),
        ("authserver", "Throttling__TrustedProxies__0", "127.0.0.1"),
        ("authserver", "Throttling__TrustedProxies__1", "::1"),
        // Client ID metadata documents: the tests publish them on a local https server (MetadataDocumentHost); the
        // Development allow-list lets the AuthServer reach that one host on loopback and trust its certificate.
        ("authserver", "OAuth__ClientMetadataDocuments__DevelopmentAllowedHosts__0", AuthServer.MetadataDocumentHost.HostName),
        ("authserver", "OAuth__ClientMetadataDocuments__DevelopmentTrustedCertificate", AuthServer.MetadataDocumentHost.CertificateBase64),
        // A loaded test machine can take longer than production's 5 s for a first TLS handshake.
        ("authserver", "OAuth__ClientMetadataDocuments__FetchTimeout", "00:00:30"),
    ];
}
