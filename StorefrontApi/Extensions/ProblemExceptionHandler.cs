using AlyAspire.Shared.Errors;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;

namespace AlyAspire.StorefrontApi.Extensions;

/// <summary>
/// Bad requests that surface as exceptions (malformed JSON, wrong types, bodies over the limit) become 4xx problems
/// with their own status: a client's mistake is never a 500.
/// </summary>
internal sealed class BadRequestExceptionHandler(IProblemDetailsService problems) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not BadHttpRequestException badRequest)
        {
            return false;
        }

        var tooLarge = badRequest.StatusCode == StatusCodes.Status413PayloadTooLarge;
        context.Response.StatusCode = badRequest.StatusCode;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            Exception = exception,
            ProblemDetails = new ProblemDetails
            {
                Status = badRequest.StatusCode,
                Type = tooLarge ? ProblemTypes.PayloadTooLarge : ProblemTypes.Validation,
                Title = tooLarge ? "The request body is too large" : "The request could not be read",
                // The framework's message names the parameter and the problem (e.g. "Failed to read parameter ... as JSON"), never a secret.
                Detail = badRequest.Message,
            },
        });
    }
}
