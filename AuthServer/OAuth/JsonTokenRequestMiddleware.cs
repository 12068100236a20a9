using System.Text;
using System.Text.Json;
using AlyAspire.Shared.Errors;

namespace AlyAspire.AuthServer.OAuth;

/// <summary>
/// Lets the token endpoint accept its parameters as a JSON object as well as the standard form encoding:
/// the JSON body is rewritten to the equivalent form before OpenIddict reads it, so validation and errors
/// are identical. A body that is not a flat JSON object gets <c>invalid_request</c>.
/// </summary>
public sealed class JsonTokenRequestMiddleware(RequestDelegate next)
{
    public const string TokenPath = "/oauth/token";
    private const int MaxBodyBytes = 64 * 1024;

    public async Task InvokeAsync(HttpContext context)
    {
        if (!HttpMethods.IsPost(context.Request.Method)
            || !context.Request.Path.Equals(TokenPath, StringComparison.OrdinalIgnoreCase)
            || context.Request.ContentType is not { } contentType
            || !contentType.StartsWith("application/json", StringComparison.OrdinalIgnoreCase))
        {
            await next(context);
            return;
        }

        var form = await ReadAsFormAsync(context.Request, context.RequestAborted);
        if (form is null)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            context.Response.Headers.CacheControl = "no-store";
            await context.Response.WriteAsJsonAsync(new
            {
                error = OAuthErrorCodes.InvalidRequest,
                error_description = "The request body must be a JSON object of string parameters (or form-encoded).",
            }, context.RequestAborted);
            return;
        }

        var bytes = Encoding.UTF8.GetBytes(form);
        context.Request.Body = new MemoryStream(bytes);
        context.Request.ContentLength = bytes.Length;
        context.Request.ContentType = "application/x-www-form-urlencoded";
        await next(context);
    }

    private static async Task<string?> ReadAsFormAsync(HttpRequest request, CancellationToken ct)
    {
        // Bounded however the body arrives: a Content-Length over the limit, or a chunked body that grows past it.
        if (await RequestBodies.ReadAtMostAsync(request, MaxBodyBytes, ct) is not { } body)
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            var pairs = new List<string>();
            foreach (var property in document.RootElement.EnumerateObject())
            {
                var value = property.Value.ValueKind switch
                {
                    JsonValueKind.String => property.Value.GetString(),
                    JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => property.Value.GetRawText(),
                    JsonValueKind.Null => null,
                    _ => throw new JsonException("Nested values are not OAuth parameters."),
                };
                if (value is not null)
                {
                    pairs.Add($"{Uri.EscapeDataString(property.Name)}={Uri.EscapeDataString(value)}");
                }
            }

            return string.Join('&', pairs);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

public static class JsonTokenRequestExtensions
{
    public static IApplicationBuilder UseJsonTokenRequests(this IApplicationBuilder app) => app.UseMiddleware<JsonTokenRequestMiddleware>();
}
