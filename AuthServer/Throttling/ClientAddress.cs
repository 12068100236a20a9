namespace AlyAspire.AuthServer.Throttling;

/// <summary>The client's address as the per-address limits see it.</summary>
internal static class ClientAddress
{
    /// <summary>The connection's address, or the forwarded one when a trusted proxy sent it (forwarded headers middleware).</summary>
    public static string Of(HttpContext context) => context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
}
