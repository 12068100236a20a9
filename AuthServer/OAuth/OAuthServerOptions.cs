using AlyAspire.AgentGate;
using System.ComponentModel.DataAnnotations;

namespace AlyAspire.AuthServer.OAuth;

/// <summary>The authorization server's settings (section <c>OAuth</c>) and the platform's resource servers (RFC 8707).</summary>
public sealed class OAuthServerOptions
{
    public const string Section = "OAuth";

    /// <summary>Path of the REST API under the storefront's base URL: the audience of tokens that name no resource.</summary>
    public const string RestApiPath = "/api/storefront/v1";

    public const string McpPath = "/mcp";

    /// <summary>
    /// The issuer (<c>OAuth:Issuer</c>): the public https URL clients reach this server at, e.g. behind an ingress.
    /// Pinned, it names the server in the metadata (and every endpoint URL in it), in <c>iss</c> and in the tokens it
    /// validates, whatever Host or scheme a request arrived with. Unset (Development only): the request's own.
    /// </summary>
    public string? Issuer { get; set; }

    public Uri? IssuerUri => Issuer is { Length: > 0 } issuer ? new Uri(issuer.EndsWith('/') ? issuer : issuer + "/") : null;

    public static bool IsValidIssuer(string? issuer) =>
        string.IsNullOrEmpty(issuer)
        || (Uri.TryCreate(issuer, UriKind.Absolute, out var uri) && uri.Scheme is "https" or "http" && uri.Query.Length == 0 && uri.Fragment.Length == 0);

    /// <summary>The storefront's public base URL (<c>ResourceServers:StorefrontApi</c>, from the AppHost).</summary>
    [Required]
    public string StorefrontApiBaseUrl { get; set; } = string.Empty;

    /// <summary>Confidential clients that may introspect any access token: the platform's resource servers.</summary>
    /// <remarks>The KeyService introspects too: an agent managing keys is verified by the KeyService itself.</remarks>
    public string[] ResourceServerClients { get; set; } = [OAuthTokenVerifier.ClientId, KeyServiceClientId];

    /// <summary>The KeyService's introspecting client (<see cref="OAuthTokenVerifier.IntrospectionClientIdKey"/>).</summary>
    public const string KeyServiceClientId = "keyservice";

    /// <summary>Where a resource server's introspection secret is configured (<c>OAuth:ResourceServerSecrets:&lt;client id&gt;</c>).</summary>
    public static string ResourceServerSecretKey(string clientId) => $"{Section}:ResourceServerSecrets:{clientId}";

    /// <summary>Client registrations (RFC 7591) allowed per client address (IPv6: /64) per <c>Throttling:OAuthWindow</c>.</summary>
    [Range(1, 100_000)]
    public int RegistrationPermitsPerMinute { get; set; } = 20;

    public string RestApiResource => StorefrontApiBaseUrl.TrimEnd('/') + RestApiPath;

    public string McpResource => StorefrontApiBaseUrl.TrimEnd('/') + McpPath;

    public IReadOnlyList<string> Resources => [RestApiResource, McpResource];
}
