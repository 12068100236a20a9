using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Aspire.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Yarp.ReverseProxy.Configuration;

namespace AlyAspire.Tests.Infrastructure;

/// <summary>
/// A TLS-terminating ingress in front of the stack, as Azure Container Apps puts one: a real YARP reverse proxy on
/// https (its own self-signed certificate for the public host names), routing by host name to the AuthServer and the
/// StorefrontApi over plain http and telling them, as YARP does, <c>X-Forwarded-Proto: https</c>, the public
/// <c>X-Forwarded-Host</c> and the client's <c>X-Forwarded-For</c>.
/// </summary>
public sealed class IngressProxy : IAsyncDisposable
{
    public const string AuthHost = "auth.alyaspire.test";
    public const string ShopHost = "shop.alyaspire.test";

    private readonly WebApplication _app;
    private readonly X509Certificate2 _certificate;

    private IngressProxy(WebApplication app, X509Certificate2 certificate, int port)
    {
        _app = app;
        _certificate = certificate;
        Port = port;
    }

    public int Port { get; }

    /// <summary>The AuthServer's public URL (the issuer), with a trailing slash.</summary>
    public Uri AuthServer => new($"https://{AuthHost}:{Port}/");

    /// <summary>The StorefrontApi's public base URL, without a trailing slash.</summary>
    public string Storefront => $"https://{ShopHost}:{Port}";

    /// <summary>Starts listening (routes come later: the stack's ports are known only once it runs).</summary>
    public static async Task<IngressProxy> StartAsync()
    {
        var certificate = CreateCertificate();
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            ApplicationName = typeof(IngressProxy).Assembly.GetName().Name,
            EnvironmentName = Environments.Production,
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen => listen.UseHttps(certificate)));
        builder.Services.AddReverseProxy().LoadFromMemory([], []);
        var app = builder.Build();
        app.MapReverseProxy();
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return new IngressProxy(app, certificate, new Uri(address).Port);
    }

    /// <summary>Routes the public host names to the services' endpoints on the test host.</summary>
    public void RouteTo(DistributedApplication app)
    {
        RouteConfig Route(string host, string cluster) => new()
        {
            RouteId = cluster,
            ClusterId = cluster,
            Match = new RouteMatch { Hosts = [host], Path = "{**rest}" },
        };
        ClusterConfig Cluster(string resource) => new()
        {
            ClusterId = resource,
            Destinations = new Dictionary<string, DestinationConfig>
            {
                [resource] = new() { Address = app.GetEndpoint(resource, "http").ToString() },
            },
        };
        _app.Services.GetRequiredService<InMemoryConfigProvider>().Update(
            [Route(AuthHost, "authserver"), Route(ShopHost, "storefrontapi")],
            [Cluster("authserver"), Cluster("storefrontapi")]);
    }

    /// <summary>
    /// A client transport that reaches the public host names at this ingress (as DNS would send them there) and
    /// trusts its certificate and nothing else.
    /// </summary>
    public SocketsHttpHandler CreateHandler() => new()
    {
        ConnectCallback = async (context, ct) =>
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, Port), ct);
            return new NetworkStream(socket, ownsSocket: true);
        },
        SslOptions = new SslClientAuthenticationOptions
        {
            RemoteCertificateValidationCallback = (_, presented, _, _) =>
                presented is not null && presented.GetCertHashString() == _certificate.GetCertHashString(),
        },
    };

    public HttpClient CreateClient(Uri baseAddress) => new(CreateHandler()) { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(60) };

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _certificate.Dispose();
    }

    private static X509Certificate2 CreateCertificate()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=alyaspire.test ingress", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName(AuthHost);
        names.AddDnsName(ShopHost);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        // Kestrel needs the private key in a form it can use on Linux: round-trip through PKCS#12.
        return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), password: null);
    }
}

/// <summary>
/// The stack behind <see cref="IngressProxy"/>: the AuthServer's issuer pinned to its public https URL, the
/// StorefrontApi's resources built from its public URL, and both believing the forwarded headers of the loopback
/// proxies only (the test host's, which pass the ingress's on) and X-Forwarded-Host only for their public names.
/// </summary>
public sealed class IngressPlatformFixture : PlatformFixture
{
    public IngressProxy Ingress { get; private set; } = null!;

    protected override async Task ConfigureAsync(IDistributedApplicationTestingBuilder appHost)
    {
        Ingress = await IngressProxy.StartAsync();
        TestStackSettings.Apply(appHost,
        [
            ("authserver", "OAuth__Issuer", Ingress.AuthServer.AbsoluteUri),
            ("authserver", "ResourceServers__StorefrontApi", Ingress.Storefront),
            ("authserver", "ForwardedHeaders__PublicHosts__0", IngressProxy.AuthHost),
            ("storefrontapi", "Storefront__PublicBaseUrl", Ingress.Storefront),
            ("storefrontapi", "Storefront__AuthorizationServer", Ingress.AuthServer.AbsoluteUri),
            ("storefrontapi", "ForwardedHeaders__PublicHosts__0", IngressProxy.ShopHost),
        ]);
    }

    protected override Task StartedAsync()
    {
        Ingress.RouteTo(App);
        return Task.CompletedTask;
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        if (Ingress is not null)
        {
            await Ingress.DisposeAsync();
        }
    }
}

/// <summary>Its own stack (other settings than the shared one's), run alone so two stacks never share the machine.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class IngressCollection : ICollectionFixture<IngressPlatformFixture>
{
    public const string Name = "ingress";
}
