using System.Net;

namespace AlyAspire.Shared.Http;

/// <summary>
/// The client as every per-address limit counts it: an IPv4 address on its own, an IPv6 address by its /64 network
/// (one subscriber's allocation, so rotating through its 2^64 addresses does not escape a limit). IPv4-mapped IPv6
/// addresses count as the IPv4 address.
/// </summary>
public static class ClientNetwork
{
    public const int IPv6PrefixLength = 64;

    /// <summary>The bucket's name: <c>203.0.113.7</c>, or <c>2001:db8:1:2::/64</c>; <c>unknown</c> without an address.</summary>
    public static string Of(IPAddress? address)
    {
        if (address is null)
        {
            return "unknown";
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (address.AddressFamily != System.Net.Sockets.AddressFamily.InterNetworkV6)
        {
            return address.ToString();
        }

        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out _);
        bytes[(IPv6PrefixLength / 8)..].Clear();
        return $"{new IPAddress(bytes)}/{IPv6PrefixLength}";
    }
}
