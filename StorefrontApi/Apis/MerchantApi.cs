using AlyAspire.Shared.Routes;
using AlyAspire.AgentGate;
using AlyAspire.StorefrontApi.Extensions;
using Microsoft.AspNetCore.Mvc;

namespace AlyAspire.StorefrontApi.Apis;

/// <summary>The REST merchant API: every route behind the bearer gate, a scope policy, and (when present) the workspace limit.</summary>
public static class MerchantApi
{
    public const string BasePath = AgentRoutes.Merchant;

    /// <summary>Merchant requests are small JSON documents; anything bigger is refused with 413 before it is read.</summary>
    public const long MaxRequestBodyBytes = 64 * 1024;

    public static RouteGroupBuilder MapMerchantApi(this WebApplication app)
    {
        var merchant = app.MapGroup(BasePath)
            .RequireAuthorization(AgentBearerDefaults.AuthenticatedPolicy)
            .WithAgentLimits(app)
            .WithMetadata(new RequestSizeLimitAttribute(MaxRequestBodyBytes))
            .AddEndpointFilter<Application.StoreProvisioningFilter>()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden);

        merchant.MapCallerApi()
            .MapOrdersApi()
            .MapCatalogApi()
            .MapCustomersApi()
            .MapSitesApi()
            .MapDomainsApi()
            .MapVoiceApi()
            .MapMediaApi()
            .MapAnalyticsApi()
            .MapUsageApi()
            .MapWorkspaceApi()
            .MapTeamApi()
            .MapApiKeysApi()
            .MapAuditEventsApi();
        return merchant;
    }
}
