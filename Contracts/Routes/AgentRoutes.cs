namespace AlyAspire.Shared.Routes;

/// <summary>Where the agent surfaces of the StorefrontApi live, for the services that serve them and the clients that call them.</summary>
public static class AgentRoutes
{
    /// <summary>The REST API, and the OAuth resource (RFC 8707) of every surface but MCP.</summary>
    public const string RestApi = "/api/storefront/v1";

    public const string Merchant = RestApi + "/merchant";

    /// <summary>The UCP REST binding, named by the business profile.</summary>
    public const string Ucp = RestApi + "/ucp";

    /// <summary>The A2A JSON-RPC endpoint, named by the agent card.</summary>
    public const string A2a = RestApi + "/a2a";

    /// <summary>The MCP server, its own OAuth resource.</summary>
    public const string Mcp = "/mcp";

    /// <summary>RFC 9728 protected-resource metadata; the resource's path follows it.</summary>
    public const string ProtectedResourceMetadata = "/.well-known/oauth-protected-resource";

    /// <summary>The UCP business profile.</summary>
    public const string UcpProfile = "/.well-known/ucp";

    /// <summary>The A2A agent card.</summary>
    public const string AgentCard = "/.well-known/agent-card.json";
}
