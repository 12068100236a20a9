namespace AlyAspire.Shared.Internal;

/// <summary>
/// The platform's services by their resource (and service discovery) names: what an internal credential says
/// about its holder, and the name each pair's secrets are configured under (<see cref="InternalServiceAuthentication"/>).
/// </summary>
public static class PlatformServices
{
    public const string AuthServer = "authserver";
    public const string KeyService = "keyservice";
    public const string RateLimiter = "ratelimiter";
    public const string StorefrontApi = "storefrontapi";

    /// <summary>Not a service: the AppHost's dashboard commands, a caller in run mode (Development) only.</summary>
    public const string AspireDashboard = "aspire-dashboard";
}
