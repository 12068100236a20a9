namespace AlyAspire.StorefrontApi.Application;

public enum StoreErrorKind
{
    NotFound,
    Conflict,
    Validation,
}

/// <summary>Why a merchant operation did not happen; REST turns it into an RFC 9457 problem, MCP into a tool error.</summary>
public sealed record StoreError(StoreErrorKind Kind, string Detail, IDictionary<string, string[]>? Errors = null)
{
    public static StoreError NotFound(string what) => new(StoreErrorKind.NotFound, $"{what} was not found.");

    public static StoreError Conflict(string detail) => new(StoreErrorKind.Conflict, detail);

    public static StoreError Invalid(string field, string message) =>
        new(StoreErrorKind.Validation, message, new Dictionary<string, string[]> { [field] = [message] });
}

/// <summary>A value or the reason there is none.</summary>
public readonly record struct StoreResult<T>(T? Value, StoreError? Error)
{
    public static implicit operator StoreResult<T>(T value) => new(value, null);

    public static implicit operator StoreResult<T>(StoreError error) => new(default, error);
}

public sealed record PagedList<T>(IReadOnlyList<T> Items, int Page, int PageSize, int Total);

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
