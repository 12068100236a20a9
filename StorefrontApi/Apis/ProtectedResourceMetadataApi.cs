using System.Text.Json.Serialization;
using AlyAspire.Shared.Scopes;
using AlyAspire.AgentGate;
using AlyAspire.StorefrontApi.Mcp;

namespace AlyAspire.StorefrontApi.Apis;

/// <summary>RFC 9728 protected resource metadata: how an agent (or an MCP client) finds where to get a token.</summary>
public sealed record ProtectedResourceMetadata(
    [property: JsonPropertyName("resource")] string Resource,
    [property: JsonPropertyName("authorization_servers")] IReadOnlyList<string> AuthorizationServers,
    [property: JsonPropertyName("scopes_supported")] IReadOnlyList<string> ScopesSupported,
    [property: JsonPropertyName("bearer_methods_supported")] IReadOnlyList<string> BearerMethodsSupported,
    [property: JsonPropertyName("resource_name")] string ResourceName,
    [property: JsonPropertyName("resource_documentation")] string ResourceDocumentation);

public static class ProtectedResourceMetadataApi
{
    public static IEndpointRouteBuilder MapProtectedResourceMetadata(this IEndpointRouteBuilder app)
    {
        var wellKnown = app.MapGroup(AgentResources.MetadataPath).WithTags("Discovery").AllowAnonymous();
        wellKnown.MapGet(AgentResources.McpPath, (HttpRequest request, AgentResources resources) =>
                Describe(request, resources, AgentResources.McpPath, "AlyAspire Storefront MCP server", StoreToolScopes.InCatalogueOrder))
            .WithSummary("Protected resource metadata of the MCP server (the scopes its tools use)");
        wellKnown.MapGet(AgentResources.RestPath, (HttpRequest request, AgentResources resources) =>
                Describe(request, resources, AgentResources.RestPath, "AlyAspire Storefront REST API", ScopeCatalogue.Names))
            .WithSummary("Protected resource metadata of the REST API");
        // MCP clients that do not insert the resource path look at the root document; it describes the MCP server.
        wellKnown.MapGet("/", (HttpRequest request, AgentResources resources) =>
                Describe(request, resources, AgentResources.McpPath, "AlyAspire Storefront MCP server", StoreToolScopes.InCatalogueOrder))
            .WithSummary("Protected resource metadata (root; describes the MCP server)");
        return app;
    }

    private static IResult Describe(HttpRequest request, AgentResources resources, string path, string name, IReadOnlyList<string> scopes)
    {
        if (resources.AuthorizationServer is not { } authorizationServer)
        {
            return TypedResults.Problem("No authorization server is configured.", statusCode: StatusCodes.Status503ServiceUnavailable,
                type: Shared.Errors.ProblemTypes.ServiceUnavailable);
        }

        // Exactly the AuthServer's issuer identifier (its URL with the trailing slash OpenIddict issues), since strict
        // clients compare the two byte for byte (RFC 8414 section 3.3).
        var baseUrl = resources.BaseUrl(request);
        return TypedResults.Ok(new ProtectedResourceMetadata(
            baseUrl + path, [authorizationServer + "/"], scopes, ["header"], name, baseUrl + "/scalar"));
    }
}
