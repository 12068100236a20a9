using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using System.Text.Json.Serialization;
using AlyAspire.AuthServer.Apis;
using AlyAspire.Shared.Scopes;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using OpenIddict.Abstractions;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace AlyAspire.AuthServer.OAuth;

/// <summary>Client ID metadata documents (section <c>OAuth:ClientMetadataDocuments</c>).</summary>
public sealed class ClientMetadataDocumentOptions
{
    public const string Section = "OAuth:ClientMetadataDocuments";

    /// <summary>The largest document read (bytes); the draft suggests clients keep them small.</summary>
    public int MaxDocumentBytes { get; set; } = 5 * 1024;

    public TimeSpan FetchTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long a document without caching headers is reused; and the longest any max-age is honoured.</summary>
    public TimeSpan DefaultCacheDuration { get; set; } = TimeSpan.FromMinutes(5);

    public TimeSpan MaxCacheDuration { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Development only: host names that may resolve to loopback or private addresses (a local test server).</summary>
    public string[] DevelopmentAllowedHosts { get; set; } = [];

    /// <summary>Development only: a self-signed server certificate (base64 DER) trusted for the allowed hosts.</summary>
    public string? DevelopmentTrustedCertificate { get; set; }
}

/// <summary>Why a metadata document cannot stand in for a registration (an RFC 6749 <c>invalid_client</c> description).</summary>
public sealed class ClientMetadataDocumentException(string message) : Exception(message);

/// <summary>
/// Client ID metadata documents (the MCP authorization spec's preferred alternative to dynamic registration): a client
/// whose <c>client_id</c> is an https URL is described by the JSON document at that URL. The document is fetched with
/// SSRF guards (https only; no loopback, private or link-local address unless a Development allow-list names the host;
/// the address checked is the one connected to; size and time limits; no redirects), cached as its HTTP caching headers
/// say, validated like an RFC 7591 registration (its <c>client_id</c> must equal its URL) and kept as a public OpenIddict
/// application, so the rest of the flow treats it like any registered client. Consent names its host.
/// </summary>
public sealed partial class ClientMetadataDocuments(
    IHttpClientFactory httpClients, IOpenIddictApplicationManager applications, IMemoryCache cache,
    IOptions<ClientMetadataDocumentOptions> options, IOptions<OAuthServerOptions> oauth, ILogger<ClientMetadataDocuments> logger)
{
    public const string HttpClientName = "client-metadata-documents";

    /// <summary>A client_id that names a metadata document: an absolute https URL with a path, no fragment, no user info.</summary>
    public static bool IsDocumentUrl(string? clientId) =>
        clientId is { Length: <= 2048 } && clientId.StartsWith("https://", StringComparison.Ordinal)
        && Uri.TryCreate(clientId, UriKind.Absolute, out var url) && url.AbsolutePath.Length > 1
        && url.Fragment.Length == 0 && url.UserInfo.Length == 0;

    /// <summary>Fetches (or reuses, while fresh) the document and keeps the application in step with it.</summary>
    public async Task EnsureClientAsync(string clientId, CancellationToken ct)
    {
        if (cache.TryGetValue(CacheKey(clientId), out _) && await applications.FindByClientIdAsync(clientId, ct) is not null)
        {
            return;
        }

        var (document, lifetime) = await FetchAsync(new Uri(clientId), ct);
        var descriptor = Describe(clientId, document);
        if (await applications.FindByClientIdAsync(clientId, ct) is { } existing)
        {
            await applications.UpdateAsync(existing, descriptor, ct);
        }
        else
        {
            await applications.CreateAsync(descriptor, ct);
        }

        cache.Set(CacheKey(clientId), true, lifetime);
    }

    private static string CacheKey(string clientId) => "cimd:" + clientId;

    private async Task<(MetadataDocument Document, TimeSpan Lifetime)> FetchAsync(Uri url, CancellationToken ct)
    {
        var settings = options.Value;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(settings.FetchTimeout);
        using var request = new HttpRequestMessage(HttpMethod.Get, url) { Headers = { Accept = { new("application/json") } } };
        HttpResponseMessage response;
        try
        {
            response = await httpClients.CreateClient(HttpClientName).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        }
        catch (HttpRequestException ex) when (ex.InnerException is ClientMetadataDocumentException refused)
        {
            throw refused;
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException or IOException)
        {
            LogFetchFailed(logger, url.Host, ex.GetType().Name);
            throw new ClientMetadataDocumentException("The client's metadata document could not be fetched.");
        }

        using (response)
        {
            if (response.StatusCode != HttpStatusCode.OK)
            {
                throw new ClientMetadataDocumentException($"The client's metadata document answered {(int)response.StatusCode}, not 200.");
            }

            if (response.Content.Headers.ContentLength > settings.MaxDocumentBytes)
            {
                throw new ClientMetadataDocumentException($"The client's metadata document is larger than {settings.MaxDocumentBytes} bytes.");
            }

            var body = await ReadBoundedAsync(await response.Content.ReadAsStreamAsync(timeout.Token), settings.MaxDocumentBytes, timeout.Token);
            MetadataDocument? document;
            try
            {
                document = JsonSerializer.Deserialize<MetadataDocument>(body);
            }
            catch (JsonException)
            {
                throw new ClientMetadataDocumentException("The client's metadata document is not a JSON object of client metadata.");
            }

            return (document ?? throw new ClientMetadataDocumentException("The client's metadata document is empty."), LifetimeOf(response, settings));
        }
    }

    private static async Task<byte[]> ReadBoundedAsync(Stream stream, int limit, CancellationToken ct)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[4096];
        int read;
        while ((read = await stream.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > limit)
            {
                throw new ClientMetadataDocumentException($"The client's metadata document is larger than {limit} bytes.");
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    /// <summary>RFC 9111, simply: no-store/no-cache → not reused; max-age → that long (capped); otherwise the default.</summary>
    private static TimeSpan LifetimeOf(HttpResponseMessage response, ClientMetadataDocumentOptions settings)
    {
        var control = response.Headers.CacheControl;
        if (control is { NoStore: true } or { NoCache: true })
        {
            return TimeSpan.FromSeconds(1);
        }

        var maxAge = control?.MaxAge ?? (response.Content.Headers.Expires is { } expires ? expires - DateTimeOffset.UtcNow : (TimeSpan?)null);
        return maxAge is { } age ? TimeSpan.FromTicks(Math.Clamp(age.Ticks, TimeSpan.FromSeconds(1).Ticks, settings.MaxCacheDuration.Ticks)) : settings.DefaultCacheDuration;
    }

    private OpenIddictApplicationDescriptor Describe(string clientId, MetadataDocument document)
    {
        if (!string.Equals(document.ClientId, clientId, StringComparison.Ordinal))
        {
            throw new ClientMetadataDocumentException("The metadata document's client_id must equal its own URL.");
        }

        if (document.ClientSecret is not null || document.ClientSecretExpiresAt is not null)
        {
            throw new ClientMetadataDocumentException("A metadata document must not carry a client secret.");
        }

        if (document.TokenEndpointAuthMethod is { } method && method != ClientAuthenticationMethods.None)
        {
            throw new ClientMetadataDocumentException("Clients described by a metadata document are public: token_endpoint_auth_method must be 'none'.");
        }

        if (document.RedirectUris is not { Length: > 0 } redirectUris)
        {
            throw new ClientMetadataDocumentException("The metadata document must list redirect_uris.");
        }

        if (redirectUris.Select(ClientRegistrationApi.RedirectUriProblem).FirstOrDefault(p => p is not null) is { } redirectProblem)
        {
            throw new ClientMetadataDocumentException(redirectProblem);
        }

        if (document.GrantTypes?.FirstOrDefault(g => g is not (GrantTypes.AuthorizationCode or GrantTypes.RefreshToken)) is { } grant)
        {
            throw new ClientMetadataDocumentException($"grant type '{grant}' is not supported; use authorization_code (with PKCE) and refresh_token.");
        }

        if (document.ResponseTypes?.FirstOrDefault(r => r != ResponseTypes.Code) is { } responseType)
        {
            throw new ClientMetadataDocumentException($"response type '{responseType}' is not supported; only 'code' is.");
        }

        var scopes = ScopeCatalogue.Parse(document.Scope);
        if (ScopeCatalogue.Unknown(scopes) is { Count: > 0 } unknown)
        {
            throw new ClientMetadataDocumentException($"Unknown scope(s): {string.Join(", ", unknown)}.");
        }

        var host = new Uri(clientId).Host;
        var name = document.ClientName?.Trim() is { Length: > 0 and <= 100 } given ? $"{given} ({host})" : host;
        var descriptor = new OpenIddictApplicationDescriptor
        {
            ClientId = clientId,
            ClientType = ClientTypes.Public,
            ConsentType = ConsentTypes.Explicit,
            DisplayName = name,
            Permissions =
            {
                Permissions.Endpoints.Authorization, Permissions.Endpoints.Token, Permissions.Endpoints.Revocation, Permissions.ResponseTypes.Code,
                Permissions.GrantTypes.AuthorizationCode,
            },
            Requirements = { Requirements.Features.ProofKeyForCodeExchange },
        };
        if (document.GrantTypes is null || document.GrantTypes.Contains(GrantTypes.RefreshToken, StringComparer.Ordinal))
        {
            descriptor.Permissions.Add(Permissions.GrantTypes.RefreshToken);
        }

        foreach (var uri in redirectUris)
        {
            descriptor.RedirectUris.Add(new Uri(uri));
        }

        foreach (var scope in scopes.Count > 0 ? scopes : ScopeCatalogue.Names)
        {
            descriptor.Permissions.Add(Permissions.Prefixes.Scope + scope);
        }

        foreach (var resource in oauth.Value.Resources)
        {
            descriptor.Permissions.Add(Permissions.Prefixes.Resource + resource);
        }

        return descriptor;
    }

    /// <summary>
    /// The fetcher's connections: resolves the host itself and connects only to an address it has checked, so a name
    /// that resolves (or re-resolves) to an internal address cannot reach it.
    /// </summary>
    public static SocketsHttpHandler CreateHandler(ClientMetadataDocumentOptions settings, bool development)
    {
        var allowed = development ? settings.DevelopmentAllowedHosts.ToHashSet(StringComparer.OrdinalIgnoreCase) : [];
        var trusted = development && settings.DevelopmentTrustedCertificate is { Length: > 0 } der
            ? X509CertificateLoader.LoadCertificate(Convert.FromBase64String(der))
            : null;
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseCookies = false,
            UseProxy = false,
            ConnectTimeout = settings.FetchTimeout,
            ConnectCallback = async (context, ct) =>
            {
                var host = context.DnsEndPoint.Host;
                var addresses = IPAddress.TryParse(host.Trim(['[', ']']), out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, ct);
                var address = addresses.FirstOrDefault()
                    ?? throw new ClientMetadataDocumentException("The client's metadata document host does not resolve.");
                if (addresses.Any(IsInternal) && !allowed.Contains(host))
                {
                    throw new ClientMetadataDocumentException("The client's metadata document host resolves to a loopback, private or link-local address.");
                }

                var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    await socket.ConnectAsync(new IPEndPoint(address, context.DnsEndPoint.Port), ct);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        if (trusted is not null)
        {
            // Development: the allow-listed local test server's self-signed certificate, and only that one.
            handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
                errors == System.Net.Security.SslPolicyErrors.None
                || (certificate is not null && certificate.GetCertHashString() == trusted.GetCertHashString());
        }

        return handler;
    }

    public static bool IsInternal(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (IPAddress.IsLoopback(address) || address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any)
            || address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || address.IsIPv6Multicast || address.IsIPv6UniqueLocal)
        {
            return true;
        }

        if (address.AddressFamily != AddressFamily.InterNetwork)
        {
            return false;
        }

        var b = address.GetAddressBytes();
        return b[0] is 0 or 10 or 127 or >= 224
               || (b[0] == 169 && b[1] == 254)
               || (b[0] == 172 && b[1] is >= 16 and <= 31)
               || (b[0] == 192 && b[1] == 168)
               || (b[0] == 100 && b[1] is >= 64 and <= 127);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "A client metadata document on {Host} could not be fetched ({Reason})")]
    private static partial void LogFetchFailed(ILogger logger, string host, string reason);

    private sealed class MetadataDocument
    {
        [JsonPropertyName("client_id")] public string? ClientId { get; set; }
        [JsonPropertyName("client_name")] public string? ClientName { get; set; }
        [JsonPropertyName("redirect_uris")] public string[]? RedirectUris { get; set; }
        [JsonPropertyName("token_endpoint_auth_method")] public string? TokenEndpointAuthMethod { get; set; }
        [JsonPropertyName("grant_types")] public string[]? GrantTypes { get; set; }
        [JsonPropertyName("response_types")] public string[]? ResponseTypes { get; set; }
        [JsonPropertyName("scope")] public string? Scope { get; set; }
        [JsonPropertyName("client_secret")] public string? ClientSecret { get; set; }
        [JsonPropertyName("client_secret_expires_at")] public long? ClientSecretExpiresAt { get; set; }
    }
}
