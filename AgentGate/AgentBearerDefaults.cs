namespace AlyAspire.AgentGate;

public static class AgentBearerDefaults
{
    /// <summary>The one authentication scheme of the agent surfaces (REST and MCP).</summary>
    public const string Scheme = "AgentBearer";

    /// <summary>The policy every agent endpoint requires before its scope: a verified API key or OAuth token.</summary>
    public const string AuthenticatedPolicy = "agent";

    public const string SessionTokenRefused = "Session tokens are for the dashboard only; use an API key or an OAuth access token.";
}
