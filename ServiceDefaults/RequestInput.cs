using System.Data.Common;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using KestrelServerOptions = Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// What a service reads from a request at most, and how it words a refusal (section <c>RequestLimits</c>).
/// </summary>
public sealed class RequestLimitsOptions
{
    public const string Section = "RequestLimits";

    /// <summary>The largest body Kestrel reads at all (its own default is 30 MB); endpoints may allow less.</summary>
    public long MaxBodyBytes { get; set; } = 1024 * 1024;

    public int MaxFormFields { get; set; } = 100;

    public int MaxFormKeyLength { get; set; } = 256;

    public int MaxFormValueLength { get; set; } = 16 * 1024;

    /// <summary>Path prefixes whose refusals are RFC 6749 errors (<c>error</c>, <c>error_description</c>) instead of problems.</summary>
    public string[] OAuthErrorPaths { get; set; } = [];

    /// <summary>The problem <c>type</c> of a refused request elsewhere; null: the framework's default for the status.</summary>
    public string? ProblemType { get; set; }

    /// <summary>The problem <c>type</c> of a body over the size limit (413); null: <see cref="ProblemType"/>.</summary>
    public string? PayloadTooLargeProblemType { get; set; }

    public bool UsesOAuthErrors(PathString path) => OAuthErrorPaths.Any(prefix => path.StartsWithSegments(prefix));
}

/// <summary>
/// The one door every request passes before any handler, query or driver sees it: control characters (NUL above
/// all, which PostgreSQL refuses with a driver error) in the path, the query, a form or a JSON body are refused
/// with a 400; a form over the field-count or length limits, or one that cannot be parsed, likewise. Bodies of
/// other media types are left to their endpoints, which refuse what they cannot read.
/// </summary>
public sealed class RequestInputGuardMiddleware(RequestDelegate next, IOptions<RequestLimitsOptions> options)
{
    private const string Refusal = "The request could not be read";

    public async Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        string? problem = null;
        var status = StatusCodes.Status400BadRequest;

        if (HasControlCharacter(request.Path.Value))
        {
            problem = "The path contains control characters.";
        }
        else if (request.Query.Any(p => HasControlCharacter(p.Key) || p.Value.Any(HasControlCharacter)))
        {
            problem = "A query parameter contains control characters.";
        }
        else if (!string.IsNullOrEmpty(request.ContentType) && !MediaTypeHeaderValue.TryParse(request.ContentType, out _))
        {
            // Readers differ on a malformed media type (some see a form, the framework's form reader throws): refused here.
            (status, problem) = (StatusCodes.Status415UnsupportedMediaType, "The Content-Type header is malformed.");
        }
        else if (request.HasFormContentType)
        {
            (status, problem) = await CheckFormAsync(request);
        }
        else if (IsJson(request.ContentType) && request.ContentLength != 0)
        {
            (status, problem) = await CheckJsonAsync(request);
        }

        if (problem is null)
        {
            await next(context);
            return;
        }

        await RequestRefusals.WriteAsync(context, status, problem, options.Value);
    }

    private static async Task<(int, string?)> CheckFormAsync(HttpRequest request)
    {
        try
        {
            var form = await request.ReadFormAsync(request.HttpContext.RequestAborted);
            return form.Any(p => HasControlCharacter(p.Key) || p.Value.Any(HasLineBreakFreeControlCharacter))
                   || form.Files.Any(f => HasControlCharacter(f.Name) || HasControlCharacter(f.FileName))
                ? (StatusCodes.Status400BadRequest, "A form field contains control characters.")
                : (StatusCodes.Status200OK, null);
        }
        catch (InvalidDataException)
        {
            // The form reader's limits (field count, key and value lengths) and malformed multipart bodies.
            return (StatusCodes.Status400BadRequest, "The form is malformed, has too many fields, or a field is too long.");
        }
        catch (IOException) when (!request.HttpContext.RequestAborted.IsCancellationRequested)
        {
            // A multipart body that ends before its boundary says it does.
            return (StatusCodes.Status400BadRequest, "The form is malformed.");
        }
        catch (Exception e) when (e is NotSupportedException or ArgumentException)
        {
            // A charset the runtime refuses to decode (e.g. UTF-7).
            return (StatusCodes.Status415UnsupportedMediaType, "The form's charset is not supported; use UTF-8.");
        }
        catch (BadHttpRequestException badRequest)
        {
            return (badRequest.StatusCode, badRequest.StatusCode == StatusCodes.Status413PayloadTooLarge
                ? "The request body is too large." : "The request body could not be read.");
        }
    }

    private static async Task<(int, string?)> CheckJsonAsync(HttpRequest request)
    {
        request.EnableBuffering();
        byte[] body;
        try
        {
            using var buffer = new MemoryStream();
            await request.Body.CopyToAsync(buffer, request.HttpContext.RequestAborted);
            body = buffer.ToArray();
        }
        catch (BadHttpRequestException badRequest)
        {
            return (badRequest.StatusCode, badRequest.StatusCode == StatusCodes.Status413PayloadTooLarge
                ? "The request body is too large." : "The request body could not be read.");
        }

        request.Body.Position = 0;
        return JsonHasControlCharacter(body)
            ? (StatusCodes.Status400BadRequest, "A JSON string contains control characters.")
            : (StatusCodes.Status200OK, null);
    }

    /// <summary>True when a property name or string value holds a control character other than tab and line breaks.</summary>
    private static bool JsonHasControlCharacter(byte[] body)
    {
        var reader = new Utf8JsonReader(body, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip });
        try
        {
            while (reader.Read())
            {
                if (reader.TokenType is JsonTokenType.String or JsonTokenType.PropertyName
                    && HasLineBreakFreeControlCharacter(reader.GetString()))
                {
                    return true;
                }
            }
        }
        catch (JsonException)
        {
            // Not JSON after all (or nested too deep): the endpoint's reader refuses it with its own 400.
        }
        catch (InvalidOperationException)
        {
            // A string that is not valid UTF-8: likewise left to the endpoint.
        }

        return false;
    }

    public static bool IsJson(string? contentType) =>
        MediaTypeHeaderValue.TryParse(contentType, out var media)
        && media.MediaType is { } type
        && (type.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || type.Value!.EndsWith("+json", StringComparison.OrdinalIgnoreCase));

    /// <summary>C0 controls and DEL: never part of a name, an identifier, a scope or a URL.</summary>
    public static bool HasControlCharacter(string? value) =>
        value is not null && (value.AsSpan().IndexOfAnyInRange('\0', '\u001f') >= 0 || value.Contains('\u007f'));

    /// <summary>As <see cref="HasControlCharacter"/>, but tab, CR and LF are allowed: free text (a description, a note) has lines.</summary>
    public static bool HasLineBreakFreeControlCharacter(string? value)
    {
        if (value is null)
        {
            return false;
        }

        foreach (var c in value)
        {
            if ((c < ' ' && c is not ('\t' or '\r' or '\n')) || c == '\u007f')
            {
                return true;
            }
        }

        return false;
    }
}

/// <summary>How a refused or failed request is answered: RFC 6749 errors on OAuth paths, RFC 9457 problems elsewhere, never naming an exception.</summary>
public static class RequestRefusals
{
    public static async Task WriteAsync(HttpContext context, int status, string? detail, RequestLimitsOptions options)
    {
        context.Response.StatusCode = status;
        if (options.UsesOAuthErrors(context.Request.Path))
        {
            // RFC 6749 §5.2: a malformed request is a 400 invalid_request, whatever made it so.
            context.Response.StatusCode = status == StatusCodes.Status415UnsupportedMediaType ? StatusCodes.Status400BadRequest : status;
            context.Response.Headers.CacheControl = "no-store";
            await context.Response.WriteAsJsonAsync(new OAuthError(
                status >= 500 ? (status == StatusCodes.Status503ServiceUnavailable ? "temporarily_unavailable" : "server_error") : "invalid_request",
                detail ?? "The server could not complete the request."), context.RequestAborted);
            return;
        }

        var problems = context.RequestServices.GetRequiredService<IProblemDetailsService>();
        await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails =
            {
                Status = status,
                Type = status == StatusCodes.Status413PayloadTooLarge ? options.PayloadTooLargeProblemType ?? options.ProblemType
                    : status < 500 ? options.ProblemType : null,
                Title = status == StatusCodes.Status413PayloadTooLarge ? "The request body is too large"
                    : status < 500 ? "The request could not be read" : "The server could not complete the request",
                Detail = detail,
            },
        });
    }

    private sealed record OAuthError(
        [property: System.Text.Json.Serialization.JsonPropertyName("error")] string Error,
        [property: System.Text.Json.Serialization.JsonPropertyName("error_description")] string ErrorDescription);
}

public static class RequestInputExtensions
{
    /// <summary>
    /// Request limits (body, form), the last-resort exception answer (<see cref="AnswerUnhandledAsync"/>) and problem
    /// documents that never carry exception details. Part of <c>AddServiceDefaults</c>.
    /// </summary>
    public static IServiceCollection AddRequestInputDefaults(this IServiceCollection services)
    {
        services.AddOptions<RequestLimitsOptions>().BindConfiguration(RequestLimitsOptions.Section)
            .Validate(o => o is { MaxBodyBytes: > 0, MaxFormFields: > 0, MaxFormKeyLength: > 0, MaxFormValueLength: > 0 },
                "RequestLimits: every limit must be positive.")
            .ValidateOnStart();
        services.AddOptions<KestrelServerOptions>().Configure<IOptions<RequestLimitsOptions>>((kestrel, limits) =>
            kestrel.Limits.MaxRequestBodySize = limits.Value.MaxBodyBytes);
        services.AddOptions<FormOptions>().Configure<IOptions<RequestLimitsOptions>>((form, limits) =>
        {
            form.ValueCountLimit = limits.Value.MaxFormFields;
            form.KeyLengthLimit = limits.Value.MaxFormKeyLength;
            form.ValueLengthLimit = limits.Value.MaxFormValueLength;
            form.MultipartBodyLengthLimit = limits.Value.MaxBodyBytes;
        });

        // Whatever the handlers registered by a service do not answer (IExceptionHandler) is answered here.
        services.AddOptions<ExceptionHandlerOptions>().Configure(options => options.ExceptionHandler = AnswerUnhandledAsync);
        services.AddProblemDetails(options => options.CustomizeProblemDetails = context =>
        {
            // The developer exception page adds the exception (type, message, stack) here; no body carries it.
            context.ProblemDetails.Extensions.Remove("exception");
            if (context.ProblemDetails.Status >= 500 && context.Exception is not null)
            {
                context.ProblemDetails.Detail = null;
            }
        });
        return services;
    }

    /// <summary>The guard (<see cref="RequestInputGuardMiddleware"/>); after <c>UseExceptionHandler</c>, before anything that reads parameters.</summary>
    public static IApplicationBuilder UseRequestInputGuard(this IApplicationBuilder app) => app.UseMiddleware<RequestInputGuardMiddleware>();

    /// <summary>
    /// An exception no handler claimed: a value the database refused as data (SQL state class 22: NUL in text,
    /// out of range, malformed) or an unreadable body is the caller's 400; anything else a 500 that names nothing.
    /// </summary>
    public static async Task AnswerUnhandledAsync(HttpContext context)
    {
        var exception = context.Features.Get<IExceptionHandlerFeature>()?.Error;
        var (status, detail) = Classify(exception, context.Request);
        var options = context.RequestServices.GetRequiredService<IOptions<RequestLimitsOptions>>().Value;
        await RequestRefusals.WriteAsync(context, status, detail, options);
    }

    private static (int Status, string? Detail) Classify(Exception? exception, HttpRequest request)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                // A JSON body that parses but does not fit what a handler reads (e.g. MCP's initialize parameters).
                case JsonException when RequestInputGuardMiddleware.IsJson(request.ContentType):
                    return (StatusCodes.Status400BadRequest, "The JSON body does not have the expected shape.");
                case BadHttpRequestException badRequest:
                    return (badRequest.StatusCode, null);
                case InvalidDataException:
                    return (StatusCodes.Status400BadRequest, "The request body is malformed or exceeds the limits.");
                case DbException { SqlState: [ '2', '2', ..] }:
                    return (StatusCodes.Status400BadRequest, "A value in the request cannot be stored.");
            }
        }

        return (StatusCodes.Status500InternalServerError, null);
    }
}

/// <summary>Reads request bodies within a bound, whether they carry a Content-Length or arrive chunked.</summary>
public static class RequestBodies
{
    /// <summary>The whole body, or null when it is longer than <paramref name="maxBytes"/> (declared or as it arrives).</summary>
    public static async Task<byte[]?> ReadAtMostAsync(HttpRequest request, int maxBytes, CancellationToken ct)
    {
        if (request.ContentLength > maxBytes)
        {
            return null;
        }

        using var body = new MemoryStream();
        var buffer = new byte[Math.Min(maxBytes + 1, 16 * 1024)];
        int read;
        while ((read = await request.Body.ReadAsync(buffer, ct)) > 0)
        {
            if (body.Length + read > maxBytes)
            {
                return null;
            }

            body.Write(buffer, 0, read);
        }

        return body.ToArray();
    }
}
