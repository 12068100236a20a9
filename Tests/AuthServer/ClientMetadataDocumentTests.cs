using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using AlyAspire.Shared.Development;
using AlyAspire.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AlyAspire.Tests.AuthServer;

/// <summary>
/// The local https server the CIMD tests publish client metadata documents on: a self-signed certificate for
/// localhost, which the AuthServer under test trusts (Development allow-list, <see cref="TestStackSettings"/>).
/// </summary>
public static class MetadataDocumentHost
{
    public const string HostName = "localhost";

    public static X509Certificate2 Certificate { get; } = Create();

    public static string CertificateBase64 => Convert.ToBase64String(Certificate.Export(X509ContentType.Cert));

    private static X509Certificate2 Create()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest($"CN={HostName}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName(HostName);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(7));
        return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), null);
    }
}

/// <summary>
/// Client ID metadata documents on the AuthServer: a client whose client_id is the https URL of its document (served
/// here by the test) completes the code flow with no registration, consent names its host; SSRF attempts are refused.
/// </summary>
[Collection(PlatformCollection.Name)]
public sealed class ClientMetadataDocumentTests(PlatformFixture platform)
{
    private const string RedirectUri = "http://127.0.0.1:7893/callback";

    [Fact]
    public async Task The_metadata_advertises_client_id_metadata_documents()
    {
        using var http = platform.CreateClient("authserver");
        var metadata = await http.GetFromJsonAsync<JsonElement>("/.well-known/oauth-authorization-server");
        Assert.True(metadata.GetProperty("client_id_metadata_document_supported").GetBoolean());
    }

    [Fact]
    public async Task A_client_described_by_its_https_document_completes_the_code_flow_without_registering()
    {
        await using var host = await StartDocumentServerAsync();
        var clientId = $"{host.BaseUrl}/clients/{Guid.NewGuid():N}.json";
        host.Documents[new Uri(clientId).AbsolutePath] = new
        {
            client_id = clientId,
            client_name = "CIMD test agent",
            redirect_uris = new[] { RedirectUri },
            grant_types = new[] { "authorization_code", "refresh_token" },
            response_types = new[] { "code" },
            token_endpoint_auth_method = "none",
            scope = "read:orders read:content",
        };

        using var authServer = platform.CreateClient("authserver");
        var oauth = new OAuthTestClient(authServer);
        var pkce = OAuthTestClient.NewPkce();
        using var browser = new AuthServerBrowser(platform.Endpoint("authserver"));
        await browser.SignInAsync(DemoWorkspace.DefaultOwnerEmail, DemoWorkspace.DefaultOwnerPassword);
        var consent = await browser.GetAsync(oauth.AuthorizeUrl(clientId, pkce, "read:orders", RedirectUri).PathAndQuery);
        Assert.Contains("CIMD test agent (localhost)", consent.Body);

        var end = await browser.AuthorizeAsync(oauth.AuthorizeUrl(clientId, pkce, "read:orders", RedirectUri), DemoWorkspace.DefaultOwnerEmail, DemoWorkspace.DefaultOwnerPassword);
        Assert.True(end.Url.AbsoluteUri.StartsWith(RedirectUri, StringComparison.Ordinal), $"No redirect to the client: {end.Url} {end.Body}");
        var code = QueryHelpers.ParseQuery(end.Url.Query)["code"].ToString();
        var tokens = await oauth.RedeemCodeAsync(clientId, code, pkce, RedirectUri);
        Assert.StartsWith("aly_oauth_", tokens.GetProperty("access_token").GetString());
        Assert.True(host.Fetches >= 1);
    }

    [Fact]
    public async Task A_document_whose_client_id_is_not_its_URL_is_refused()
    {
        await using var host = await StartDocumentServerAsync();
        var clientId = $"{host.BaseUrl}/clients/{Guid.NewGuid():N}.json";
        host.Documents[new Uri(clientId).AbsolutePath] = new { client_id = "https://elsewhere.example/client.json", redirect_uris = new[] { RedirectUri } };

        var page = await AuthorizeAnonymouslyAsync(clientId);
        Assert.Contains("invalid_client", page);
        Assert.Contains("must equal its own URL", page);
    }

    [Theory]
    [InlineData("https://127.0.0.1:9/client.json")]
    [InlineData("https://10.11.12.13/client.json")]
    [InlineData("https://169.254.169.254/latest/meta-data.json")]
    [InlineData("https://[::1]:9/client.json")]
    public async Task A_client_id_that_resolves_to_a_loopback_private_or_link_local_address_is_refused(string clientId)
    {
        var page = await AuthorizeAnonymouslyAsync(clientId);
        Assert.Contains("invalid_client", page);
        Assert.Contains("loopback, private or link-local", page);
    }

    private async Task<string> AuthorizeAnonymouslyAsync(string clientId)
    {
        using var authServer = platform.CreateClient("authserver");
        var url = new OAuthTestClient(authServer).AuthorizeUrl(clientId, OAuthTestClient.NewPkce(), "read:orders", RedirectUri);
        using var response = await authServer.GetAsync(url.PathAndQuery);
        Assert.NotEqual(HttpStatusCode.InternalServerError, response.StatusCode);
        // The refusal the page shows: <p class="error"><code>error</code>: description</p>.
        var html = WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync());
        var start = html.IndexOf("<p class=\"error\">", StringComparison.Ordinal);
        Assert.True(start >= 0, $"No refusal on the page ({(int)response.StatusCode}).");
        var end = html.IndexOf("</p>", start, StringComparison.Ordinal);
        return html[start..end].Replace("<code>", "", StringComparison.Ordinal).Replace("</code>", "", StringComparison.Ordinal);
    }

    private sealed class DocumentServer(WebApplication app, string baseUrl) : IAsyncDisposable
    {
        public string BaseUrl { get; } = baseUrl;

        public Dictionary<string, object> Documents { get; } = [];

        public int Fetches;

        public WebApplication App { get; } = app;

        public async ValueTask DisposeAsync() => await App.DisposeAsync();
    }

    private static async Task<DocumentServer> StartDocumentServerAsync()
    {
        var port = FreePort();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Loopback, port, listen => listen.UseHttps(MetadataDocumentHost.Certificate));
            if (System.Net.Sockets.Socket.OSSupportsIPv6)
            {
                kestrel.Listen(IPAddress.IPv6Loopback, port, listen => listen.UseHttps(MetadataDocumentHost.Certificate));
            }
        });
        var app = builder.Build();
        var server = new DocumentServer(app, $"https://{MetadataDocumentHost.HostName}:{port}");
        app.Run(async context =>
        {
            Interlocked.Increment(ref server.Fetches);
            if (!server.Documents.TryGetValue(context.Request.Path.Value ?? "", out var document))
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return;
            }

            context.Response.Headers.CacheControl = "max-age=300";
            await context.Response.WriteAsJsonAsync(document);
        });
        await app.StartAsync();
        return server;
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
