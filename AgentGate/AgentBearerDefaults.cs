namespace AlyAspire.AgentGate;

public static class AgentBearerDefaults
{
    /// <summary>The one authentication scheme of the agent surfaces (REST and MCP).</summary>
    public const string Scheme = "AgentBearer";

    /// <summary>The policy every agent endpoint requires before its scope: a verified API key or OAuth token.</summary>
    public const string AuthenticatedPolicy = "agent";

    /// <summary>The name under which the ticket keeps the bearer credential the gate verified.</summary>
    public const string VerifiedBearer = "agent_bearer";

    public const string SessionTokenRefused = "Session tokens are for the dashboard only; use an API key or an OAuth access token.";
}
