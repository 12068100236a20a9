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
    /// <summary>The current workspace's name, so every page can say which workspace it is about.</summary>
    public const string WorkspaceName = "org_name";
    /// <summary>The account's session version when the session was issued (see <c>User.SessionVersion</c>).</summary>
    public const string SessionVersion = "sv";
}
