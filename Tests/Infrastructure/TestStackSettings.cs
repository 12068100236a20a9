using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;

namespace AlyAspire.Tests.Infrastructure;

/// <summary>
/// Environment the end-to-end stack gets under test, on top of the AppHost's own: settings that make
/// behaviour observable quickly (e.g. proxies trusted so tests can speak for many client IPs).
/// </summary>
internal static class TestStackSettings
{
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
        // Every test registers its own OAuth clients from one address.
        ("authserver", "OAuth__RegistrationPermitsPerMinute", "1000"),
    ];
}
