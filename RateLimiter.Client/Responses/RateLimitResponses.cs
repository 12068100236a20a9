using System.Globalization;
using System.Text;
using AlyAspire.RateLimiter.Client.Workspace;
using AlyAspire.Shared.Errors;
using AlyAspire.Shared.Http;
using AlyAspire.Shared.RateLimiting;
using Microsoft.AspNetCore.Http;

namespace AlyAspire.RateLimiter.Client.Responses;

/// <summary>
/// The one shape of a rate-limit answer, for both layers: <c>Retry-After</c> in whole seconds (at least 1),
/// the IETF <c>RateLimit-Policy</c> / <c>RateLimit</c> headers (draft-ietf-httpapi-ratelimit-headers-09/10
/// syntax, e.g. <c>"workspace";q=600;w=60</c> and <c>"workspace";r=12;t=30</c>) and an RFC 9457 problem
/// naming the layer that refused.
/// </summary>
public static class RateLimitResponses
{
    public const string PolicyHeaderName = "RateLimit-Policy";
    public const string StatusHeaderName = "RateLimit";

    /// <summary>Sets the two RateLimit headers; call before the response starts.</summary>
    public static void SetRateLimitHeaders(HttpResponse response, IReadOnlyList<RateLimitQuota> quotas)
    {
        if (quotas.Count == 0)
        {
            return;
        }

        var policy = new StringBuilder();
        var status = new StringBuilder();
        foreach (var quota in quotas)
        {
            if (policy.Length > 0)
            {
                policy.Append(", ");
                status.Append(", ");
            }

            policy.Append(CultureInfo.InvariantCulture, $"\"{quota.Policy}\";q={quota.Quota};w={quota.WindowSeconds}");
            status.Append(CultureInfo.InvariantCulture, $"\"{quota.Policy}\";r={Math.Max(0, quota.Remaining)};t={Math.Max(0, (long)Math.Ceiling(quota.Reset.TotalSeconds))}");
        }

        response.Headers[PolicyHeaderName] = policy.ToString();
        response.Headers[StatusHeaderName] = status.ToString();
    }

    private static readonly object RefusedLayerItem = new();

    /// <summary>The layer whose 429 this request got (for usage metering), or null.</summary>
    public static RateLimitLayer? RefusedLayer(HttpContext context) =>
        context.Items.TryGetValue(RefusedLayerItem, out var layer) ? (RateLimitLayer?)layer : null;

    /// <summary>Writes the 429 refusal of <paramref name="layer"/>.</summary>
    public static Task WriteRefusalAsync(HttpContext context, RateLimitLayer layer, TimeSpan retryAfter, IReadOnlyList<RateLimitQuota> quotas)
    {
        context.Items[RefusedLayerItem] = layer;
        var response = context.Response;
        SetRateLimitHeaders(response, quotas);
        RetryAfterHeader.Set(response, retryAfter);
        var (name, detail) = layer switch
        {
            RateLimitLayer.PreAuth => (RateLimitPolicies.PreAuth, "Too many requests from this client address. Wait for the time in Retry-After before retrying."),
            RateLimitLayer.Credential => (RateLimitPolicies.Credential, "This credential has used up its request budget. Wait for the time in Retry-After before retrying."),
            _ => (RateLimitPolicies.Workspace, "The workspace has used up its request budget. Wait for the time in Retry-After before retrying."),
        };
        return TypedResults.Problem(
            type: ProblemTypes.RateLimited,
            title: "Too many requests.",
            detail: detail,
            statusCode: StatusCodes.Status429TooManyRequests,
            extensions: new Dictionary<string, object?> { ["layer"] = name }).ExecuteAsync(context);
    }

    /// <summary>Failure mode <see cref="RateLimitFailureMode.Closed"/>: no decision, so no request, for a moment.</summary>
    public static Task WriteUnavailableAsync(HttpContext context, TimeSpan retryAfter)
    {
        RetryAfterHeader.Set(context.Response, retryAfter);
        return TypedResults.Problem(
            type: ProblemTypes.ServiceUnavailable,
            title: "Rate limiting is unavailable.",
            detail: "Requests are paused while limits cannot be checked. Wait for the time in Retry-After before retrying.",
            statusCode: StatusCodes.Status503ServiceUnavailable).ExecuteAsync(context);
    }
}
