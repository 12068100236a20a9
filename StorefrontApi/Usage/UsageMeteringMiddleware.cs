using AlyAspire.AgentGate;
using AlyAspire.RateLimiter.Client.Responses;
using AlyAspire.RateLimiter.Client.Workspace;

namespace AlyAspire.StorefrontApi.Usage;

/// <summary>
/// Counts every request the bearer gate identified a credential for, once its response is done, by how it ended:
/// 401, 403 and 429 (by the refusing budget) apart from everything else, which passed the gate. Wraps the whole agent
/// pipeline (gate, scope policy, workspace limit, every surface's endpoints), so no surface can forget to count.
/// </summary>
public sealed class UsageMeteringMiddleware(RequestDelegate next, UsageMeter meter, TimeProvider time)
{
    public async Task InvokeAsync(HttpContext context)
    {
        try
        {
            await next(context);
        }
        finally
        {
            if (context.Features.Get<VerifiedCredentialFeature>() is { } verified)
            {
                meter.Record(MeteredCredential.For(verified.Credential), OutcomeOf(context), time.GetUtcNow());
            }
        }
    }

    private static UsageOutcome OutcomeOf(HttpContext context) => context.Response.StatusCode switch
    {
        StatusCodes.Status401Unauthorized => UsageOutcome.Unauthorized,
        StatusCodes.Status403Forbidden => UsageOutcome.Forbidden,
        StatusCodes.Status429TooManyRequests => RateLimitResponses.RefusedLayer(context) == RateLimitLayer.Credential
            ? UsageOutcome.CredentialLimited
            : UsageOutcome.WorkspaceLimited,
        _ => UsageOutcome.Allowed,
    };
}
