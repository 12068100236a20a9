using System.Text.Json;
using AlyAspire.Shared.Credentials;
using AlyAspire.AgentGate;

namespace AlyAspire.StorefrontApi.Mcp;

/// <summary>
/// Checks a <c>tools/call</c>'s scope before the MCP handler runs, so a missing scope is an HTTP 403 with
/// <c>WWW-Authenticate: Bearer error="insufficient_scope", scope=…, resource_metadata=…</c>: the step-up signal of
/// the MCP authorization spec, which a client can act on without parsing the JSON-RPC answer.
/// </summary>
public sealed class McpToolScopeMiddleware(RequestDelegate next, AgentResources resources)
{
    public async Task InvokeAsync(HttpContext context)
    {
        if (!HttpMethods.IsPost(context.Request.Method) || !AgentResources.IsMcp(context.Request.Path)
            || context.User.Identity?.IsAuthenticated != true || context.Request.ContentLength is 0)
        {
            await next(context);
            return;
        }

        context.Request.EnableBuffering();
        var tools = await ReadCalledToolsAsync(context.Request.Body, context.RequestAborted);
        context.Request.Body.Position = 0;

        var missing = tools
            .Select(tool => StoreToolScopes.ByTool.GetValueOrDefault(tool))
            .OfType<string>()
            .FirstOrDefault(scope => !context.User.HasClaim(AgentClaimTypes.Scope, scope));
        if (missing is not null)
        {
            await ScopeChallengeResultHandler.WriteInsufficientScopeAsync(context, resources, missing);
            return;
        }

        await next(context);
    }

    /// <summary>The tool names of the <c>tools/call</c> requests in a JSON-RPC message (or batch); nothing for other methods or bad JSON.</summary>
    private static async Task<IReadOnlyList<string>> ReadCalledToolsAsync(Stream body, CancellationToken ct)
    {
        try
        {
            using var document = await JsonDocument.ParseAsync(body, cancellationToken: ct);
            var messages = document.RootElement.ValueKind == JsonValueKind.Array
                ? document.RootElement.EnumerateArray().ToArray()
                : [document.RootElement];
            return messages
                .Where(m => m.ValueKind == JsonValueKind.Object
                            && m.TryGetProperty("method", out var method) && method.ValueEquals("tools/call")
                            && m.TryGetProperty("params", out var p) && p.ValueKind == JsonValueKind.Object
                            && p.TryGetProperty("name", out var name) && name.ValueKind == JsonValueKind.String)
                .Select(m => m.GetProperty("params").GetProperty("name").GetString()!)
                .ToArray();
        }
        catch (JsonException)
        {
            return []; // The MCP handler answers malformed JSON-RPC with its own parse error.
        }
    }
}
