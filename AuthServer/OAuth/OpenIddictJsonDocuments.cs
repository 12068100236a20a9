using System.Text.Encodings.Web;
using System.Text.Json;
using OpenIddict.Abstractions;

namespace AlyAspire.AuthServer.OAuth;

/// <summary>
/// OpenIddict responses kept as bytes and served again (<see cref="DiscoveryDocumentCache"/>,
/// <see cref="IntrospectionResponseCache"/>): serialized as OpenIddict's ASP.NET Core host writes them, and written back
/// as a 200 JSON answer.
/// </summary>
internal static class OpenIddictJsonDocuments
{
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, Indented = true };

    public static byte[] Serialize(OpenIddictResponse response)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, WriterOptions))
        {
            response.WriteTo(writer);
        }

        return stream.ToArray();
    }

    /// <summary>An answer carrying a token or a token's state: never stored by a cache (RFC 6749 §5.1, RFC 7662 §4).</summary>
    public static Task WriteUncachedAsync(HttpResponse response, byte[] document, CancellationToken cancellationToken)
    {
        response.Headers.CacheControl = "no-store";
        response.Headers.Pragma = "no-cache";
        response.Headers.Expires = "Thu, 01 Jan 1970 00:00:00 GMT";
        return WriteAsync(response, document, cancellationToken);
    }

    public static async Task WriteAsync(HttpResponse response, byte[] document, CancellationToken cancellationToken)
    {
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/json;charset=UTF-8";
        response.ContentLength = document.Length;
        await response.Body.WriteAsync(document, cancellationToken);
    }
}
