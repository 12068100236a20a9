using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using AlyAspire.Shared.Internal;
using AlyAspire.Tests.Infrastructure;
using AlyAspire.Tests.StorefrontApi;
using CsCheck;

namespace AlyAspire.Tests.Hardening;

/// <summary>
/// A seeded, property-based fuzz of every public surface (OAuth, DCR, pages, REST with a working key, MCP JSON-RPC, and
/// the internal APIs with the service credential): nasty strings, huge and negative numbers, many fields, odd content
/// types, chunked bodies, broken percent-encoding. No answer may be a 5xx or name an exception, a driver or a stack
/// frame, and every service is healthy afterwards.
/// </summary>
[Collection(PlatformCollection.Name)]
public sealed partial class InputFuzzTests(PlatformFixture platform)
{
    /// <summary>The fixed seed (CsCheck's format): the same requests on every run.</summary>
    private const string Seed = "0N0XIzNsQ0O2";

    /// <summary>Requests per run: enough to cover every endpoint with every kind of nastiness, small enough for CI.</summary>
    private const int Budget = 900;

    private const int Concurrency = 4;

    [Fact]
    public async Task No_generated_request_gets_a_5xx_or_an_internal_name_and_every_service_stays_healthy()
    {
        var targets = new Dictionary<string, HttpClient>
        {
            ["authserver"] = Client("authserver"),
            ["storefrontapi"] = Client("storefrontapi"),
            ["keyservice"] = Client("keyservice"),
            ["ratelimiter"] = Client("ratelimiter"),
        };
        var apiKey = await platform.ApiKeyAsync(StorefrontAgents.DemoStore, StorefrontAgents.AllScopes);
        // Each internal API with the credential of its usual caller.
        var serviceKeys = new Dictionary<string, string>
        {
            ["keyservice"] = await platform.ServiceSecretAsync(PlatformServices.AuthServer, PlatformServices.KeyService),
            ["ratelimiter"] = await platform.ServiceSecretAsync(PlatformServices.StorefrontApi, PlatformServices.RateLimiter),
        };
        var failures = new List<string>();

        await FuzzCase.Generator.Array[Budget, Budget].SampleAsync(async cases =>
        {
            using var gate = new SemaphoreSlim(Concurrency);
            var runs = cases.Select(async (fuzz, index) =>
            {
                await gate.WaitAsync();
                try
                {
                    if (await RunAsync(targets[fuzz.Service], fuzz, index, apiKey, serviceKeys.GetValueOrDefault(fuzz.Service, string.Empty)) is { } failure)
                    {
                        lock (failures)
                        {
                            failures.Add(failure);
                        }
                    }
                }
                finally
                {
                    gate.Release();
                }
            });
            await Task.WhenAll(runs);
        }, seed: Seed, iter: 1, threads: 1);

        foreach (var service in PlatformFixture.Services)
        {
            using var health = await targets[service].GetAsync("/health");
            Assert.True(health.StatusCode == HttpStatusCode.OK, $"{service} /health is {(int)health.StatusCode} after the fuzz");
        }

        Assert.True(failures.Count == 0, $"{failures.Count} of {Budget} requests failed:\n" + string.Join("\n", failures.Take(15)));
    }

    private HttpClient Client(string service)
    {
        var client = platform.CreateClient(service, allowRedirects: false);
        client.Timeout = TimeSpan.FromSeconds(90);
        return client;
    }

    private static async Task<string?> RunAsync(HttpClient client, FuzzCase fuzz, int index, string apiKey, string serviceKey)
    {
        using var request = new HttpRequestMessage(new HttpMethod(fuzz.Method), new Uri(client.BaseAddress!.GetLeftPart(UriPartial.Authority) + fuzz.PathAndQuery,
            new UriCreationOptions { DangerousDisablePathAndQueryCanonicalization = true }));
        // Each request speaks for its own address (believed from the test host's loopback proxy): per-address limits
        // answer 429s, which are fine, but should not hide the endpoints behind them.
        request.Headers.TryAddWithoutValidation("X-Forwarded-For", $"198.19.{index / 250 % 256}.{index % 250 + 1}");
        if (fuzz.Service == "storefrontapi")
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
            request.Headers.Accept.ParseAdd("application/json, text/event-stream");
        }
        else if (fuzz.Service is "keyservice" or "ratelimiter")
        {
            request.Headers.TryAddWithoutValidation(InternalServiceAuthentication.HeaderName, serviceKey);
        }

        if (fuzz.Body is { } body)
        {
            HttpContent content = fuzz.Chunked ? new ChunkedContent(body) : new ByteArrayContent(body);
            if (fuzz.ContentType is { } contentType)
            {
                content.Headers.TryAddWithoutValidation("Content-Type", contentType);
            }

            request.Content = content;
        }

        try
        {
            using var response = await client.SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();
            if ((int)response.StatusCode >= 500 || InternalName().Match(text) is { Success: true })
            {
                return $"#{index} {fuzz} → {(int)response.StatusCode}: {text[..Math.Min(300, text.Length)]}";
            }
        }
        // Any request, not only one with a body: the client reuses pooled connections, so the next request on a
        // connection the server closed after refusing a body sees the close too.
        catch (HttpRequestException exception) when (exception.InnerException is HttpIOException { HttpRequestError: HttpRequestError.ResponseEnded }
                                                         or IOException { InnerException: System.Net.Sockets.SocketException { SocketErrorCode: System.Net.Sockets.SocketError.ConnectionReset or System.Net.Sockets.SocketError.Shutdown or System.Net.Sockets.SocketError.ConnectionAborted } })
        {
            // The server may answer a body it refuses before reading it and close the connection: the client then sees
            // a reset, or a broken pipe (Shutdown) if it was still writing the body. Whether the service survived is
            // checked by the health of every service after the run.
        }

        return null;
    }

    /// <summary>Exception type names, the database driver, SQL states and stack frames: nothing of the inside in a body.</summary>
    [GeneratedRegex(@"\b[A-Z][A-Za-z]+Exception\b|Npgsql|PostgresException|SqlState|StackExchange\.Redis|   at [A-Z][\w.`]+\.[\w<>`]+\(|\.cs:line \d")]
    private static partial Regex InternalName();

    /// <summary>A body without Content-Length: sent with Transfer-Encoding: chunked.</summary>
    private sealed class ChunkedContent(byte[] body) : HttpContent
    {
        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => stream.WriteAsync(body).AsTask();

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}

/// <summary>One generated request: which service, what it asks, how its body is shaped.</summary>
public sealed record FuzzCase(string Service, string Method, string PathAndQuery, byte[]? Body, string? ContentType, bool Chunked)
{
    public override string ToString() =>
        $"{Service} {Method} {Shorten(PathAndQuery)} [{ContentType}{(Chunked ? ", chunked" : string.Empty)}] {(Body is null ? string.Empty : Shorten(Encoding.UTF8.GetString(Body)))}";

    private static string Shorten(string value) => value.Length > 160 ? value[..160] + $"…({value.Length})" : value;

    private const string Merchant = "/api/storefront/v1/merchant";

    /// <summary>Strings that broke (or break) servers: control characters, broken encodings, odd unicode, huge and negative numbers, injections.</summary>
    private static readonly string[] NastyStrings =
    [
        "", " ", "\0", "a\0b", "\u0001", "\u0008", "\u001b[31m", "\u001f", "\u007f", "\r\n", "\t", "line\nbreak",
        "’", "🙂", "Ω≈ç√", "ｓｃｏｐｅ", "\u202e", "\ufeff", "\uffff", "ǅ", "é", "\u0301", "null", "true", "[]", "{}",
        "-1", "0", "-0", "1e308", "-1e308", "NaN", "Infinity", "0x10", "2147483647", "2147483648", "-2147483649",
        "9223372036854775807", "99999999999999999999999999", "00000000-0000-0000-0000-000000000000", "not-a-guid",
        "read:orders", "read:orders\0write:orders", "openid offline_access", "' OR 1=1 --", "\"; DROP TABLE x; --",
        "<script>alert(1)</script>", "${jndi:ldap://x}", "%s%n%x", "../../../etc/passwd", "..%2f..%2f", "http://[::1",
        "https://example.com/cb", "http://127.0.0.1:1/cb\0", "javascript:alert(1)", "aly_", "aly_oauth_x", "\\",
        new string('a', 3000), new string('é', 5000), string.Concat(Enumerable.Repeat("🙂", 2000)),
    ];

    /// <summary>Raw (unencoded) query fragments: broken percent-encoding and encoded control characters.</summary>
    private static readonly string[] RawEncodings =
    [
        "%", "%%", "%zz", "%0", "%00", "%01", "%1f", "%7f", "%c3%28", "%ed%a0%80", "%f4%90%80%80", "%e9", "%ff%fe",
        "%u0000", "%2500", "+", "%2B", "a%00b", "%0d%0a", "%e2%80%ae", "%f0%9f%99%82", "=", "&&", ";", "%3B%00",
    ];

    private static readonly string[] ContentTypes =
    [
        "application/x-www-form-urlencoded", "application/x-www-form-urlencoded; charset=utf-8",
        "application/x-www-form-urlencoded; charset=utf-7", "application/x-www-form-urlencoded; charset=bogus",
        "application/x-www-form-urlencoded;;;", "multipart/form-data", "multipart/form-data; boundary=",
        "multipart/form-data; boundary=xyz", "application/json", "application/json; charset=latin1",
        "application/merge-patch+json", "text/plain", "application/xml", "*/*", "(((", "application/", "text/html; charset=\0",
        "application/octet-stream", "application/grpc",
    ];

    private static readonly string[] OAuthParameters =
    [
        "response_type", "client_id", "redirect_uri", "scope", "state", "code_challenge", "code_challenge_method", "resource",
        "grant_type", "code", "code_verifier", "refresh_token", "token", "token_type_hint", "client_secret", "nonce", "prompt",
        "request", "request_uri", "max_age", "audience",
    ];

    private static readonly string[] ProductFields =
    [
        "title", "name", "description", "price", "priceCents", "quantity", "status", "email", "handle", "slug", "tags",
        "sku", "currency", "note", "page", "pageSize", "id", "items", "productId", "customerId", "domain", "hostname",
        "scopes", "role", "greeting", "voice", "enabled", "amount", "reason",
    ];

    private static readonly string[] Collections =
    [
        "orders", "products", "collections", "customers", "customer-groups", "pages", "media", "sites", "domains", "team",
        "api-keys", "voice-agent", "workspace/settings", "activity", "analytics/summary", "me",
    ];

    private static readonly string[] ItemCollections = ["orders", "products", "customers", "media", "sites", "domains", "team", "api-keys"];

    private static readonly string[] OrderActions = ["fulfill", "cancel", "refund", "notes", "publish", "unpublish", "revoke", "rotate"];

    private static readonly string[] McpTools = ["list_orders", "get_order", "fulfill_order", "list_products", "update_product", "find_customers", "get_analytics", "nope\0"];

    private static readonly string[] McpMethods = ["tools/call", "tools/list", "initialize", "ping", "resources/list", "prompts/get", "\0", "tools/call\u0000", ""];

    private static readonly Gen<string> Nasty = Gen.Frequency<string>(
        (5, Gen.OneOf(NastyStrings)),
        (2, Gen.String[Gen.Char, 0, 40]),
        (1, Gen.String[Gen.Char['\0', '\u001f'], 1, 8]),
        (1, Gen.Long.Select(l => l.ToString(System.Globalization.CultureInfo.InvariantCulture))));

    private static readonly Gen<long> NastyNumber = Gen.Frequency<long>(
        (3, Gen.OneOf(0L, -1L, 1L, int.MaxValue, int.MinValue, (long)int.MaxValue + 1, long.MaxValue, long.MinValue, 21_474_836L, 21_474_837L, 100_000_000L)),
        (1, Gen.Long));

    /// <summary>Mostly a valid page size, so a huge page number reaches the offset arithmetic.</summary>
    private static readonly Gen<long> PageSize = Gen.Frequency<long>((3, Gen.Int[2, 100].Select(n => (long)n)), (1, NastyNumber));

    /// <summary>A query value: a nasty string percent-encoded, or a raw fragment with broken encoding.</summary>
    private static readonly Gen<string> QueryValue = Gen.Frequency<string>(
        (4, Nasty.Select(Encode)),
        (2, Gen.OneOf(RawEncodings)),
        (1, NastyNumber.Select(n => n.ToString(System.Globalization.CultureInfo.InvariantCulture))));

    private static readonly Gen<string> QueryString =
        Gen.Select(Gen.OneOf<string>(Gen.OneOf(OAuthParameters), Gen.OneOf(ProductFields), Nasty.Select(Encode), Gen.OneOf(RawEncodings)), QueryValue)
            .Select(p => p.Item1 + "=" + p.Item2).Array[0, 8].Select(pairs => pairs.Length == 0 ? string.Empty : "?" + string.Join('&', pairs));

    /// <summary>Many fields (up to thousands), a flat form body, JSON bodies of every shape, or raw bytes.</summary>
    private static readonly Gen<(byte[] Body, string ContentType)> Bodies = Gen.Frequency<(byte[], string)>(
        (3, Gen.Select(Gen.OneOf<string>(Gen.OneOf(OAuthParameters), Gen.OneOf(ProductFields), Nasty), Nasty).Array[0, 12]
            .Select(fields => (Form(fields), "application/x-www-form-urlencoded"))),
        (1, Gen.Int[200, 5000].Select(n => (Encoding.ASCII.GetBytes(string.Join('&', Enumerable.Range(0, n).Select(i => $"f{i}=v"))), "application/x-www-form-urlencoded"))),
        (1, Gen.Select(Gen.OneOf(RawEncodings), Nasty).Array[1, 6]
            .Select(parts => (Encoding.UTF8.GetBytes(string.Join('&', parts.Select(p => p.Item1 + "=" + p.Item2))), "application/x-www-form-urlencoded"))),
        (3, Gen.Select(Gen.OneOf<string>(Gen.OneOf(ProductFields), Gen.OneOf(OAuthParameters), Nasty), JsonValue()).Array[0, 10]
            .Select(fields => (Json(fields), "application/json"))),
        (1, Gen.OneOf("{", "[", "\"x\"", "{\"a\":", "{\"a\":\"\\u0000\"}", "{\"a\":\"\\ud800\"}", "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]",
                "{\"redirect_uris\":" + new string('[', 200) + "}", "\u0000", "\ufeff{}", "{\"a\":1e999999}", "{\"price\":-99999999999999999999}")
            .Select(raw => (Encoding.UTF8.GetBytes(raw), "application/json"))),
        (1, Gen.Byte.Array[0, 200].Select(bytes => (bytes, "application/octet-stream"))),
        (1, Gen.Const(() => (new byte[1_200_000], "application/json"))));

    private static Gen<object?> JsonValue() => Gen.Frequency<object?>(
        (4, Nasty.Select(s => (object?)s)),
        (2, NastyNumber.Select(n => (object?)n)),
        (1, Gen.OneOf<object?>(null, true, false, 1e308, -0.0, double.Epsilon)),
        (1, Nasty.Array[0, 30].Select(a => (object?)a)),
        (1, Gen.Select(Nasty, Nasty).Array[0, 5].Select(a => (object?)a.GroupBy(p => p.Item1).ToDictionary(g => g.Key, g => g.First().Item2))));

    private static readonly Gen<FuzzCase> AuthServer = Gen.Frequency<FuzzCase>(
        (3, QueryString.Select(q => Get("authserver", "/oauth/authorize" + q))),
        (2, Gen.Select(QueryString, Bodies, Gen.Bool).Select(t => Post("authserver", "/oauth/authorize" + t.Item1, t.Item2, t.Item3))),
        (4, Gen.Select(Bodies, Gen.OneOf(ContentTypes), Gen.Bool, Gen.Bool).Select(t => Post("authserver", "/oauth/token", t.Item1, t.Item3, t.Item4 ? t.Item2 : null))),
        (2, Gen.Select(Gen.OneOf("/oauth/introspect", "/oauth/revoke"), Bodies, Gen.OneOf(ContentTypes), Gen.Bool)
            .Select(t => Post("authserver", t.Item1, t.Item2, t.Item4, t.Item4 ? null : t.Item3))),
        (1, Gen.Select(Gen.OneOf("/.well-known/openid-configuration", "/.well-known/oauth-authorization-server", "/.well-known/jwks", "/oauth/"), QueryString)
            .Select(t => Get("authserver", t.Item1 + t.Item2))),
        (3, Gen.Select(Registration(), Gen.Bool).Select(t => Post("authserver", "/oauth/register", (t.Item1, "application/json"), t.Item2))),
        (1, Gen.Select(Bodies, Gen.OneOf(ContentTypes)).Select(t => Post("authserver", "/oauth/register", t.Item1, false, t.Item2))),
        (2, Gen.Select(Gen.OneOf("/account/login", "/account/signup", "/", "/settings/apikeys", "/connectedapps", "/team", "/account/logout"), QueryString)
            .Select(t => Get("authserver", t.Item1 + t.Item2))),
        (2, Gen.Select(Gen.OneOf("/account/login", "/account/signup", "/account/logout", "/team", "/settings/apikeys"), QueryString, Bodies, Gen.Bool)
            .Select(t => Post("authserver", t.Item1 + t.Item2, t.Item3, t.Item4))));

    private static readonly Gen<FuzzCase> Storefront = Gen.Frequency<FuzzCase>(
        (4, Gen.Select(Gen.OneOf(Collections), NastyNumber, PageSize, QueryString)
            .Select(t => Get("storefrontapi", $"{Merchant}/{t.Item1}?page={t.Item2}&pageSize={t.Item3}&{t.Item4.TrimStart('?')}"))),
        (2, Gen.Select(Gen.OneOf(ItemCollections), Gen.OneOf<string>(Nasty.Select(Encode), Gen.OneOf(RawEncodings), Gen.Guid.Select(g => g.ToString())))
            .Select(t => Get("storefrontapi", $"{Merchant}/{t.Item1}/{t.Item2}"))),
        (3, Gen.Select(Gen.OneOf(Collections), Gen.OneOf("POST", "PATCH", "PUT", "DELETE"), Bodies, Gen.Bool)
            .Select(t => Send("storefrontapi", t.Item2, $"{Merchant}/{t.Item1}", t.Item3, t.Item4))),
        (2, Gen.Select(Gen.OneOf(ItemCollections), Gen.Guid, Gen.OneOf(OrderActions), Bodies)
            .Select(t => Send("storefrontapi", "POST", $"{Merchant}/{t.Item1}/{t.Item2}/{t.Item3}", t.Item4, false))),
        (4, Gen.Select(McpRequest(), Gen.Bool).Select(t => Post("storefrontapi", "/mcp", (t.Item1, "application/json"), t.Item2))),
        (1, Gen.Select(Gen.OneOf("/.well-known/oauth-protected-resource", "/.well-known/oauth-protected-resource/mcp", "/openapi/v1.json", "/mcp"), QueryString)
            .Select(t => Get("storefrontapi", t.Item1 + t.Item2))));

    private static readonly Gen<FuzzCase> Internal = Gen.Frequency<FuzzCase>(
        (1, Gen.Select(Bodies, Gen.Bool).Select(t => Post("keyservice", "/internal/keys/verify", t.Item1, t.Item2))),
        (1, Gen.Select(Gen.OneOf<string>(Gen.Guid.Select(g => g.ToString()), Nasty.Select(Encode)), Bodies)
            .Select(t => Post("keyservice", $"/internal/workspaces/{t.Item1}/keys", t.Item2, false))),
        (1, Gen.Select(Gen.OneOf<string>(Gen.Guid.Select(g => g.ToString()), Nasty.Select(Encode), Gen.OneOf(RawEncodings)), QueryString)
            .Select(t => Get("ratelimiter", $"/internal/workspaces/{t.Item1}/usage{t.Item2}"))),
        (1, Gen.Select(Gen.OneOf<string>(Gen.Guid.Select(g => g.ToString()), Nasty.Select(Encode)), Bodies)
            .Select(t => Send("ratelimiter", "PUT", $"/internal/workspaces/{t.Item1}/limits", t.Item2, false))));

    public static readonly Gen<FuzzCase> Generator = Gen.Frequency<FuzzCase>((20, AuthServer), (18, Storefront), (4, Internal));

    /// <summary>RFC 7591 metadata with nasty values, many and long redirect URIs, and odd field types.</summary>
    private static Gen<byte[]> Registration() =>
        Gen.Select(
                Gen.Frequency<string>((3, Nasty), (2, Gen.OneOf("https://example.com/cb", "http://127.0.0.1:53682/callback")),
                    (1, Gen.Int[1000, 3000].Select(n => "https://example.com/" + new string('a', n)))).Array[0, 15],
                Nasty, Gen.OneOf("none", "client_secret_basic", "private_key_jwt", "\0"), Nasty, JsonValue())
            .Select(t => JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object?>
            {
                ["redirect_uris"] = t.Item1,
                ["client_name"] = t.Item2,
                ["token_endpoint_auth_method"] = t.Item3,
                ["scope"] = t.Item4,
                ["grant_types"] = t.Item5,
            }));

    /// <summary>JSON-RPC requests to the MCP endpoint: tool calls with nasty arguments, odd methods, ids and params.</summary>
    private static Gen<byte[]> McpRequest() =>
        Gen.Select(Gen.OneOf(McpMethods), Gen.OneOf(McpTools), JsonValue(),
                Gen.Select(Gen.OneOf("page", "pageSize", "orderId", "productId", "query", "status", "state", "search", "title", "price", "days"), JsonValue()).Array[0, 6])
            .Select(t => JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object?>
            {
                ["jsonrpc"] = "2.0",
                ["id"] = t.Item3,
                ["method"] = t.Item1,
                ["params"] = new Dictionary<string, object?>
                {
                    ["name"] = t.Item2,
                    ["arguments"] = t.Item4.GroupBy(p => p.Item1).ToDictionary(g => g.Key, g => g.First().Item2),
                },
            }));

    private static FuzzCase Get(string service, string pathAndQuery) => new(service, "GET", pathAndQuery, null, null, false);

    private static FuzzCase Post(string service, string pathAndQuery, (byte[] Body, string ContentType) body, bool chunked, string? contentType = null) =>
        Send(service, "POST", pathAndQuery, body, chunked, contentType);

    private static FuzzCase Send(string service, string method, string pathAndQuery, (byte[] Body, string ContentType) body, bool chunked, string? contentType = null) =>
        new(service, method, pathAndQuery, body.Body, contentType ?? body.ContentType, chunked);

    /// <summary>Percent-encodes as a client would; a lone surrogate (which cannot be encoded) goes raw.</summary>
    private static string Encode(string value)
    {
        try
        {
            return Uri.EscapeDataString(value);
        }
        catch (UriFormatException)
        {
            return value;
        }
    }

    private static byte[] Form((string Key, string Value)[] fields) =>
        Encoding.UTF8.GetBytes(string.Join('&', fields.Select(f => Encode(f.Key) + "=" + Encode(f.Value))));

    private static byte[] Json((string Key, object? Value)[] fields) =>
        JsonSerializer.SerializeToUtf8Bytes(fields.GroupBy(f => f.Key).ToDictionary(g => g.Key, g => g.First().Value));
}
