using AlyAspire.Shared.Errors;
using Microsoft.AspNetCore.Diagnostics;

namespace AlyAspire.RateLimiter.Apis;

/// <summary>
/// A request the endpoint could not even bind (malformed JSON, a missing body) is the caller's error: a 400
/// validation problem, in every environment, instead of the exception surfacing as a 500.
/// </summary>
internal sealed class MalformedRequestExceptionHandler(IProblemDetailsService problemDetails) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not BadHttpRequestException badRequest)
        {
            return false;
        }

        httpContext.Response.StatusCode = badRequest.StatusCode;
        return await problemDetails.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails =
            {
                Type = ProblemTypes.Validation,
                Title = "The request could not be read.",
                Detail = "The body must be a JSON document of the documented shape.",
                Status = badRequest.StatusCode,
            },
        });
    }
}
