using System.Collections.Frozen;

namespace AlyAspire.Shared.Scopes;

/// <summary>One scope of the catalogue: its name and what it grants, in plain words for the consent and key pages.</summary>
public sealed record ScopeDefinition(string Name, string Description);

/// <summary>
/// The platform's 17 scopes: the one definition every service uses (OAuth discovery, consent, API keys,
/// the bearer gate's policies, OpenAPI). API keys and OAuth tokens are checked against it identically.
/// </summary>
public static class ScopeCatalogue
{
    public const string ReadSites = "read:sites";
    public const string WriteSites = "write:sites";
    public const string DeleteSites = "delete:sites";
    public const string ReadContent = "read:content";
    public const string WriteContent = "write:content";
    public const string ReadCustomers = "read:customers";
    public const string WriteCustomers = "write:customers";
    public const string ManageVoice = "manage:voice";
    public const string ManageDomains = "manage:domains";
    public const string ManageApiKeys = "manage:api_keys";
    public const string ReadAnalytics = "read:analytics";
    public const string ReadOrders = "read:orders";
    public const string WriteOrders = "write:orders";
    public const string ReadMedia = "read:media";
    public const string WriteMedia = "write:media";
    public const string ManageWorkspace = "manage:workspace";
    public const string ManageTeam = "manage:team";

    public static IReadOnlyList<ScopeDefinition> All { get; } =
    [
        new(ReadSites, "Read site config, theme and settings"),
        new(WriteSites, "Update site config, publish and unpublish"),
        new(DeleteSites, "Delete sites"),
        new(ReadContent, "Read products, collections, pages and CMS blocks"),
        new(WriteContent, "Create and change products, collections, pages and CMS blocks"),
        new(ReadCustomers, "Read customers and customer groups"),
        new(WriteCustomers, "Create and change customers and customer groups"),
        new(ManageVoice, "Configure voice agents"),
        new(ManageDomains, "Attach and detach custom domains"),
        new(ManageApiKeys, "Create and revoke API keys"),
        new(ReadAnalytics, "Read site analytics and the activity feed"),
        new(ReadOrders, "Read orders, fulfillment state, returns and exchanges"),
        new(WriteOrders, "Update order state, fulfill and refund orders"),
        new(ReadMedia, "Read media assets"),
        new(WriteMedia, "Upload, replace and delete media assets"),
        new(ManageWorkspace, "Change workspace settings"),
        new(ManageTeam, "Invite and remove teammates"),
    ];

    public static IReadOnlyList<string> Names { get; } = All.Select(s => s.Name).ToArray();

    private static readonly FrozenDictionary<string, ScopeDefinition> ByName =
        All.ToFrozenDictionary(s => s.Name, StringComparer.Ordinal);

    public static bool IsKnown(string scope) => ByName.ContainsKey(scope);

    public static ScopeDefinition? Find(string scope) => ByName.GetValueOrDefault(scope);

    /// <summary>The names in <paramref name="scopes"/> that are not in the catalogue (to refuse them by name).</summary>
    public static IReadOnlyList<string> Unknown(IEnumerable<string> scopes) => scopes.Where(s => !IsKnown(s)).Distinct().ToArray();

    /// <summary>Splits a space-delimited scope string (OAuth's form) into distinct names.</summary>
    public static IReadOnlyList<string> Parse(string? scope) =>
        string.IsNullOrWhiteSpace(scope) ? [] : scope.Split(' ', StringSplitOptions.RemoveEmptyEntries).Distinct(StringComparer.Ordinal).ToArray();
}
