using AlyAspire.Shared.Http;

namespace AlyAspire.AuthServer.Throttling;

/// <summary>The client's address as the per-address limits see it.</summary>
internal static class ClientAddress
{
    /// <summary>
    /// The connection's address, or the forwarded one when a trusted proxy sent it (forwarded headers middleware);
    /// IPv6 by its /64 network (<see cref="ClientNetwork"/>).
    /// </summary>
    public static string Of(HttpContext context) => ClientNetwork.Of(context.Connection.RemoteIpAddress);
}
