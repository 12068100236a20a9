namespace AlyAspire.Shared.Scopes;

/// <summary>
/// A member's role in a workspace and the scopes it may exercise or grant (to an API key or an OAuth client).
/// Nobody can hand out more than their role allows.
/// </summary>
public static class WorkspaceRoles
{
    public const string Owner = "owner";
    public const string Admin = "admin";
    public const string Member = "member";

    public static IReadOnlyList<string> All { get; } = [Owner, Admin, Member];

    public static bool IsKnown(string role) => All.Contains(role, StringComparer.Ordinal);

    public static IReadOnlyList<string> ScopesFor(string role) => role switch
    {
        Owner => ScopeCatalogue.Names,
        // Admins run the store but do not change who is in the workspace or its settings.
        Admin => ScopeCatalogue.Names.Where(s => s is not ScopeCatalogue.ManageTeam and not ScopeCatalogue.ManageWorkspace).ToArray(),
        Member => ScopeCatalogue.Names.Where(s => s.StartsWith("read:", StringComparison.Ordinal)).ToArray(),
        _ => [],
    };
}
