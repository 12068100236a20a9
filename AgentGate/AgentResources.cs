using AlyAspire.Shared.Routes;
using Microsoft.Extensions.Options;

namespace AlyAspire.AgentGate;

/// <summary>Where the agent surfaces and their authorization server live.</summary>
public sealed class AgentGateOptions
{
    public const string Section = "Storefront";

    /// <summary>
    /// The public base URL agents use (<c>Storefront:PublicBaseUrl</c>); the OAuth audiences and the protected resource
    /// metadata are built from it. Unset: the request's own scheme and host (local runs without a proxy).
    /// </summary>
    public string? PublicBaseUrl { get; set; }

    /// <summary>The OAuth authorization server's issuer (<c>Storefront:AuthorizationServer</c>), by default <c>services:authserver:http:0</c>.</summary>
    public string? AuthorizationServer { get; set; }
}

/// <summary>
/// The resource identifiers (RFC 8707) of this service and their metadata documents (RFC 9728): the REST API is
/// <c>{base}/api/storefront/v1</c>, MCP is <c>{base}/mcp</c>. An OAuth token must name the one it is used on.
/// </summary>
public sealed class AgentResources(IOptions<AgentGateOptions> options, IConfiguration configuration)
{
    public const string RestPath = AgentRoutes.RestApi;
    public const string McpPath = AgentRoutes.Mcp;
    public const string MetadataPath = AgentRoutes.ProtectedResourceMetadata;

    public string BaseUrl(HttpRequest request) =>
        (options.Value.PublicBaseUrl is { Length: > 0 } configured ? configured : $"{request.Scheme}://{request.Host}").TrimEnd('/');

    public static bool IsMcp(PathString path) => path.StartsWithSegments(McpPath);

    /// <summary>The resource a request is addressed to: MCP for <c>/mcp</c>, otherwise the REST API.</summary>
    public string ResourceFor(HttpRequest request) => BaseUrl(request) + (IsMcp(request.Path) ? McpPath : RestPath);

    /// <summary>RFC 9728 §3.1: the metadata URL inserts the well-known segment before the resource's path.</summary>
    public string MetadataUrlFor(HttpRequest request) => BaseUrl(request) + MetadataPath + (IsMcp(request.Path) ? McpPath : RestPath);

    public string? AuthorizationServer =>
        (options.Value.AuthorizationServer is { Length: > 0 } configured ? configured : configuration["services:authserver:http:0"])?.TrimEnd('/');

    public static bool SameResource(string a, string b) =>
        string.Equals(a.TrimEnd('/'), b.TrimEnd('/'), StringComparison.OrdinalIgnoreCase);
}
