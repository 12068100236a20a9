using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.HttpOverrides;
using IPNetwork = System.Net.IPNetwork;

namespace AlyAspire.Shared.Http;

/// <summary>
/// Whose <c>X-Forwarded-For</c> a service believes, for every per-address limit: only the configured proxies
/// (addresses or CIDR networks). The framework's default trust of loopback is dropped, so nothing is trusted unless
/// configured, and a client cannot pick its own address by sending the header.
/// </summary>
public static class TrustedProxies
{
    /// <summary>True when every entry is an IP address or a CIDR network.</summary>
    public static bool AreValid(IEnumerable<string> proxies) =>
        proxies.All(p => IPAddress.TryParse(p, out _) || IPNetwork.TryParse(p, out _));

    /// <summary>Believes <c>X-Forwarded-For</c> from <paramref name="proxies"/> only.</summary>
    public static void TrustForwardedForFrom(this ForwardedHeadersOptions forwarded, IEnumerable<string> proxies)
    {
        forwarded.ForwardedHeaders = ForwardedHeaders.XForwardedFor;
        forwarded.KnownIPNetworks.Clear();
        forwarded.KnownProxies.Clear();
        foreach (var proxy in proxies)
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
