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

    public static async Task WriteAsync(HttpResponse response, byte[] document, CancellationToken cancellationToken)
    {
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/json;charset=UTF-8";
        response.ContentLength = document.Length;
        await response.Body.WriteAsync(document, cancellationToken);
    }
}
