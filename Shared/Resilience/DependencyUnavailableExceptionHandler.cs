using AlyAspire.Shared.Errors;
using AlyAspire.Shared.Http;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace AlyAspire.Shared.Resilience;

/// <summary>
/// A request that needed a dependency which could not answer (<see cref="DependencyPipelines.IsUnavailability"/>)
/// gets 503 with <c>Retry-After</c> and an RFC 9457 problem that names neither the dependency's driver nor the
/// exception, in every environment: the caller did nothing wrong and may simply retry.
/// </summary>
public sealed partial class DependencyUnavailableExceptionHandler(
    IProblemDetailsService problems,
    ILogger<DependencyUnavailableExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (!DependencyPipelines.IsUnavailability(exception) || httpContext.Response.HasStarted)
        {
            return false;
        }

        // The outcome's kind, not its stack: during an outage this line is written for every request.
        LogUnavailable(logger, httpContext.Request.Path, exception.GetBaseException().GetType().Name);
        httpContext.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        RetryAfterHeader.Set(httpContext.Response, DependencyPipelines.RetryAfter);
        await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            ProblemDetails =
            {
                Status = StatusCodes.Status503ServiceUnavailable,
                Type = ProblemTypes.ServiceUnavailable,
                Title = "Temporarily unavailable",
                Detail = "A store this request needs is not answering. Retry after the time in Retry-After.",
            },
        });

        // Handled even when the caller accepts no problem document: the 503 and Retry-After stand on their own.
        return true;
    }

    [LoggerMessage(LogLevel.Warning, "A dependency did not answer a request to {Path} ({Failure}); answered 503")]
    private static partial void LogUnavailable(ILogger logger, PathString path, string failure);
}
