using System.Collections.Frozen;
using System.Reflection;
using AlyAspire.Shared.Scopes;
using Microsoft.AspNetCore.Authorization;
using ModelContextProtocol.Server;

namespace AlyAspire.StorefrontApi.Mcp;

/// <summary>Which scope each MCP tool needs, read once from the tools' own attributes (one source of truth).</summary>
public static class StoreToolScopes
{
    /// <summary>The tool types the server registers (<c>WithTools</c> in Extensions), for reading their scopes.</summary>
    public static IReadOnlyList<Type> ToolTypes { get; } = [typeof(StoreTools), typeof(SiteTools), typeof(WorkspaceTools)];

    public static FrozenDictionary<string, string> ByTool { get; } = ToolTypes
        .SelectMany(type => type.GetMethods(BindingFlags.Public | BindingFlags.Static))
        .Select(m => (Tool: m.GetCustomAttribute<McpServerToolAttribute>()?.Name, Scope: m.GetCustomAttribute<AuthorizeAttribute>()?.Policy))
        .Where(t => t.Tool is not null && t.Scope is not null)
        .ToFrozenDictionary(t => t.Tool!, t => t.Scope!, StringComparer.Ordinal);

    public static IReadOnlyList<string> All { get; } = ByTool.Values.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();

    /// <summary>The same scopes in the catalogue's order, as the protected-resource metadata lists them.</summary>
    public static IReadOnlyList<string> InCatalogueOrder { get; } = ScopeCatalogue.Names.Where(All.Contains).ToArray();
}
