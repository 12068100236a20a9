using AlyAspire.Shared.Scopes;
using AlyAspire.AgentGate;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace AlyAspire.StorefrontApi.OpenApi;

/// <summary>
/// Describes the bearer gate in the OpenAPI document: one bearer scheme (an API key or an OAuth access token), the
/// OAuth authorization-code flow with the scope catalogue, and on every operation the scope it requires.
/// </summary>
internal sealed class AgentSecurityDocumentTransformer(AgentResources resources) : IOpenApiDocumentTransformer
{
    public const string BearerScheme = "AgentBearer";
    public const string OAuthScheme = "OAuth";

    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Info.Title = "AlyAspire Storefront merchant API";
        document.Info.Description =
            "Merchant operations for agents. Authenticate with `Authorization: Bearer <API key or OAuth access token>`; " +
            "each operation names the scope it requires. Dashboard session tokens are refused.";

        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes[BearerScheme] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            Description = "An API key (`aly_…`) or an OAuth access token (`aly_oauth_…`) whose audience is this API.",
        };

        if (resources.AuthorizationServer is { } authority)
        {
            document.Components.SecuritySchemes[OAuthScheme] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.OAuth2,
                Description = "OAuth 2.1 authorization code with PKCE; request the resource " + AgentResources.RestPath + ".",
                Flows = new OpenApiOAuthFlows
                {
                    AuthorizationCode = new OpenApiOAuthFlow
                    {
                        AuthorizationUrl = new Uri(authority + "/oauth/authorize"),
                        TokenUrl = new Uri(authority + "/oauth/token"),
                        Scopes = ScopeCatalogue.All.ToDictionary(s => s.Name, s => s.Description),
                    },
                },
            };
        }

        return Task.CompletedTask;
    }
}

internal sealed class RequiredScopeOperationTransformer : IOpenApiOperationTransformer
{
    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var required = context.Description.ActionDescriptor.EndpointMetadata.OfType<RequiredScopeMetadata>().LastOrDefault();
        if (required is null)
        {
            return Task.CompletedTask;
        }

        var document = context.Document;
        operation.Security ??= [];
        // OpenAPI 3.1 lets any scheme list the "roles" it needs: both credential kinds need the same scope.
        operation.Security.Add(new OpenApiSecurityRequirement
        {
            [new OpenApiSecuritySchemeReference(AgentSecurityDocumentTransformer.BearerScheme, document)] = [required.Scope],
        });
        if (document?.Components?.SecuritySchemes?.ContainsKey(AgentSecurityDocumentTransformer.OAuthScheme) == true)
        {
            operation.Security.Add(new OpenApiSecurityRequirement
            {
                [new OpenApiSecuritySchemeReference(AgentSecurityDocumentTransformer.OAuthScheme, document)] = [required.Scope],
            });
        }

        operation.Description = $"Requires the `{required.Scope}` scope. " + operation.Description;
        return Task.CompletedTask;
    }
}
