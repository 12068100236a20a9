using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// How a service words the problem for a request it could not read. Every member left null falls back to the
/// framework's default for the status (type: the RFC 9110 section, title: the reason phrase; no detail).
/// </summary>
public sealed class BadRequestProblemOptions
{
    /// <summary>The problem <c>type</c> URI (one of Shared's <c>ProblemTypes</c>).</summary>
    public string? Type { get; set; }

    public string? Title { get; set; }

    /// <summary>The <c>type</c> for a body over the size limit (413); null: <see cref="Type"/>.</summary>
    public string? PayloadTooLargeType { get; set; }

    /// <summary>The <c>title</c> for a body over the size limit (413); null: <see cref="Title"/>.</summary>
    public string? PayloadTooLargeTitle { get; set; }

    /// <summary>The <c>detail</c> of the problem; returning null writes none.</summary>
    public Func<BadHttpRequestException, string?> Detail { get; set; } = _ => null;
}

/// <summary>
/// A request the framework could not read (malformed JSON, a wrong type, a missing or too-large body, a bad route
/// or query value) throws <see cref="BadHttpRequestException"/>: it is the caller's error, so it answers as an
/// RFC 9457 problem with the exception's own 4xx status, in every environment, never as a 500.
/// </summary>
public sealed class BadRequestProblemExceptionHandler(IProblemDetailsService problems, IOptions<BadRequestProblemOptions> options) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not BadHttpRequestException badRequest)
        {
            return false;
        }

        var wording = options.Value;
        var tooLarge = badRequest.StatusCode == StatusCodes.Status413PayloadTooLarge;
        httpContext.Response.StatusCode = badRequest.StatusCode;
        await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            AdditionalMetadata = httpContext.Features.Get<IExceptionHandlerFeature>()?.Endpoint?.Metadata,
            ProblemDetails =
            {
                Status = badRequest.StatusCode,
                Type = tooLarge ? wording.PayloadTooLargeType ?? wording.Type : wording.Type,
                Title = tooLarge ? wording.PayloadTooLargeTitle ?? wording.Title : wording.Title,
                Detail = wording.Detail(badRequest),
            },
        });

        // Handled even when the caller accepts no problem document (e.g. Accept: text/html): the 4xx status stands
        // on its own, where declining would turn it into a 500.
        return true;
    }
}

public static class BadRequestProblemExtensions
{
    /// <summary>
    /// Answers unreadable requests as problems (<see cref="BadRequestProblemExceptionHandler"/>); the app needs
    /// <c>UseExceptionHandler()</c>.
    /// </summary>
    public static IServiceCollection AddBadRequestProblems(this IServiceCollection services, Action<BadRequestProblemOptions>? configure = null)
    {
        services.AddExceptionHandler<BadRequestProblemExceptionHandler>();
        if (configure is not null)
        {
            services.Configure(configure);
        }

        return services;
    }
}
