using AlyAspire.Shared.Errors;
using AlyAspire.StorefrontApi.Application;
using Microsoft.AspNetCore.Http.HttpResults;

namespace AlyAspire.StorefrontApi.Apis;

/// <summary>Maps the merchant operations' results to HTTP: values to 200/201, refusals to RFC 9457 problems.</summary>
internal static class StoreResults
{
    public static Results<Ok<T>, ProblemHttpResult> ToOk<T>(this StoreResult<T> result) =>
        result.Error is { } error ? error.ToProblem() : TypedResults.Ok(result.Value!);

    public static Results<Created<T>, ProblemHttpResult> ToCreated<T>(this StoreResult<T> result, Func<T, string> location) =>
        result.Error is { } error ? error.ToProblem() : TypedResults.Created(location(result.Value!), result.Value!);

    public static Results<NoContent, ProblemHttpResult> ToNoContent(this StoreResult<Done> result) =>
        result.Error is { } error ? error.ToProblem() : TypedResults.NoContent();

    public static ProblemHttpResult ToProblem(this StoreError error) => error.Kind switch
    {
        StoreErrorKind.NotFound => NotFound(error.Detail),
        StoreErrorKind.Conflict => Conflict(error.Detail),
        StoreErrorKind.Forbidden => TypedResults.Problem(error.Detail, statusCode: StatusCodes.Status403Forbidden, title: "Forbidden",
            type: error.ProblemType ?? ProblemTypes.Forbidden),
        StoreErrorKind.Unavailable => TypedResults.Problem(error.Detail, statusCode: StatusCodes.Status503ServiceUnavailable,
            title: "A service is unavailable", type: ProblemTypes.ServiceUnavailable),
        _ => TypedResults.Problem(new HttpValidationProblemDetails(error.Errors ?? new Dictionary<string, string[]>())
        {
            Status = StatusCodes.Status400BadRequest,
            Type = error.ProblemType ?? ProblemTypes.Validation,
            Title = "The request is not valid",
            Detail = error.Detail,
        }),
    };

    public static ProblemHttpResult NotFound(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status404NotFound, title: "Not found", type: ProblemTypes.NotFound);

    public static ProblemHttpResult Invalid(IDictionary<string, string[]> errors, string detail) =>
        TypedResults.Problem(new HttpValidationProblemDetails(errors)
        {
            Status = StatusCodes.Status400BadRequest,
            Type = ProblemTypes.Validation,
            Title = "The request is not valid",
            Detail = detail,
        });

    public static ProblemHttpResult Invalid(string field, string message) =>
        Invalid(new Dictionary<string, string[]> { [field] = [message] }, message);

    public static ProblemHttpResult Conflict(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status409Conflict, title: "Conflict", type: ProblemTypes.Conflict);
}
