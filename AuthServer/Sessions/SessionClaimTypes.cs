namespace AlyAspire.AuthServer.Sessions;

/// <summary>Claims of the dashboard's session JWT.</summary>
public static class SessionClaimTypes
{
    public const string Subject = "sub";
    public const string WorkspaceId = "org";
    /// <summary>Space-separated: what the role permits.</summary>
    public const string Scope = "scope";
    public const string Role = "role";
    public const string Email = "email";
}
