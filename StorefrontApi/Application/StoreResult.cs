namespace AlyAspire.StorefrontApi.Application;

public enum StoreErrorKind
{
    NotFound,
    Conflict,
    Validation,
    /// <summary>The caller may not do this (beyond its scopes, e.g. granting a scope it does not hold).</summary>
    Forbidden,
    /// <summary>A service the operation depends on did not answer; the caller may retry.</summary>
    Unavailable,
}

/// <summary>
/// Why a merchant operation did not happen: the one error vocabulary of every surface. REST turns it into an RFC 9457
/// problem, MCP into a tool error, UCP into its error response and messages, A2A into a JSON-RPC error.
/// <paramref name="ProblemType"/> refines the kind's problem type where a dependency named a more precise one.
/// </summary>
public sealed record StoreError(StoreErrorKind Kind, string Detail, IDictionary<string, string[]>? Errors = null, string? ProblemType = null)
{
    public static StoreError NotFound(string what) => new(StoreErrorKind.NotFound, $"{what} was not found.");

    public static StoreError Conflict(string detail) => new(StoreErrorKind.Conflict, detail);

    public static StoreError Forbidden(string detail, string? problemType = null) => new(StoreErrorKind.Forbidden, detail, null, problemType);

    public static StoreError Unavailable(string detail) => new(StoreErrorKind.Unavailable, detail);

    public static StoreError Invalid(string field, string message) =>
        new(StoreErrorKind.Validation, message, new Dictionary<string, string[]> { [field] = [message] });

    /// <summary>
    /// A platform service's 4xx refusal (its problem's status, detail and type) in the store's vocabulary, keeping the
    /// precise problem type where the kind has room for one.
    /// </summary>
    public static StoreError Refused(int status, string detail, string? problemType, IDictionary<string, string[]>? errors = null) => status switch
    {
        StatusCodes.Status404NotFound => new(StoreErrorKind.NotFound, detail),
        StatusCodes.Status409Conflict => Conflict(detail),
        StatusCodes.Status401Unauthorized or StatusCodes.Status403Forbidden => Forbidden(detail, problemType),
        _ => new(StoreErrorKind.Validation, detail, errors, problemType),
    };
}

/// <summary>A value or the reason there is none.</summary>
public readonly record struct StoreResult<T>(T? Value, StoreError? Error)
{
    public static implicit operator StoreResult<T>(T value) => new(value, null);

    public static implicit operator StoreResult<T>(StoreError error) => new(default, error);
}

public sealed record PagedList<T>(IReadOnlyList<T> Items, int Page, int PageSize, int Total);

public static class StoreResult
{
    /// <summary>Success of an operation that returns nothing (a deletion).</summary>
    public static StoreResult<Done> Done => new(Application.Done.Value, null);
}

/// <summary>The value of an operation that only succeeds or fails.</summary>
public sealed record Done
{
    public static readonly Done Value = new();
}

public static class Paging
{
    public const int DefaultPageSize = 20;
    public const int MaxPageSize = 100;

    /// <summary>The last page anyone may ask for: beyond it <c>(page - 1) * pageSize</c> would overflow the offset.</summary>
    public const int MaxPage = int.MaxValue / MaxPageSize;

    public static StoreError? Validate(int page, int pageSize) =>
        page is < 1 or > MaxPage ? StoreError.Invalid("page", $"page must be between 1 and {MaxPage}.")
        : pageSize is < 1 or > MaxPageSize ? StoreError.Invalid("pageSize", $"pageSize must be between 1 and {MaxPageSize}.")
        : null;
}
