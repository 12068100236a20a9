using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using IPNetwork = System.Net.IPNetwork;

namespace AlyAspire.Shared.Http;

/// <summary>
/// Which proxies a service believes (section <c>ForwardedHeaders</c>), the same in every service: the client's
/// address (<c>X-Forwarded-For</c>, for every per-address limit) and scheme (<c>X-Forwarded-Proto</c>: https behind
/// a TLS-terminating ingress), and the host (<c>X-Forwarded-Host</c>) only when <see cref="PublicHosts"/> names it.
/// </summary>
public sealed class TrustedProxyOptions
{
    public const string Section = "ForwardedHeaders";

    /// <summary>Proxies (addresses, or networks in CIDR form) whose forwarded headers are believed. Empty: none.</summary>
    public string[] TrustedProxies { get; set; } = [];

    /// <summary>Host names a trusted proxy may name in <c>X-Forwarded-Host</c>. Empty: that header is ignored.</summary>
    public string[] PublicHosts { get; set; } = [];
}

/// <summary>
/// Only the configured proxies are believed: the framework's default trust of loopback is dropped, so nothing is
/// trusted unless configured, and a client cannot pick its own address, scheme or host by sending the headers.
/// </summary>
public static class TrustedProxies
{
    /// <summary>True when every entry is an IP address or a CIDR network.</summary>
    public static bool AreValid(IEnumerable<string> proxies) =>
        proxies.All(p => IPAddress.TryParse(p, out _) || IPNetwork.TryParse(p, out _));

    /// <summary>Binds <see cref="TrustedProxyOptions"/> and configures the forwarded headers middleware from it.</summary>
    public static IServiceCollection AddTrustedForwardedHeaders(this IServiceCollection services)
    {
        services.AddOptions<TrustedProxyOptions>()
            .BindConfiguration(TrustedProxyOptions.Section)
            .Validate(o => AreValid(o.TrustedProxies), "ForwardedHeaders:TrustedProxies must list IP addresses or CIDR networks.")
            .Validate(o => o.PublicHosts.All(h => Uri.CheckHostName(h.StartsWith("*.", StringComparison.Ordinal) ? h[2..] : h) != UriHostNameType.Unknown),
                "ForwardedHeaders:PublicHosts must list host names (optionally *.domain).")
            .ValidateOnStart();
        services.AddOptions<ForwardedHeadersOptions>().Configure<IOptions<TrustedProxyOptions>>((forwarded, options) =>
            forwarded.TrustOnly(options.Value));
        return services;
    }

    /// <summary>First in the pipeline, so every later step sees the client, scheme and host behind a trusted proxy.</summary>
    public static IApplicationBuilder UseTrustedForwardedHeaders(this IApplicationBuilder app) => app.UseForwardedHeaders();

    private static void TrustOnly(this ForwardedHeadersOptions forwarded, TrustedProxyOptions options)
    {
        forwarded.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
        forwarded.AllowedHosts.Clear();
        if (options.PublicHosts.Length > 0)
        {
            forwarded.ForwardedHeaders |= ForwardedHeaders.XForwardedHost;
            foreach (var host in options.PublicHosts)
            {
                forwarded.AllowedHosts.Add(host);
            }
        }

        forwarded.KnownIPNetworks.Clear();
        forwarded.KnownProxies.Clear();
        foreach (var proxy in options.TrustedProxies)
        {
            if (IPAddress.TryParse(proxy, out var address))
            {
                forwarded.KnownProxies.Add(address);
            }
            else
            {
                forwarded.KnownIPNetworks.Add(IPNetwork.Parse(proxy));
            }
        }
    }
}
