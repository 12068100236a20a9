using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using AlyAspire.AuthServer.OAuth;
using AlyAspire.Shared.Errors;
using AlyAspire.Shared.Scopes;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Abstractions;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace AlyAspire.AuthServer.Apis;

/// <summary>
/// Dynamic client registration (RFC 7591) over OpenIddict's application manager: public clients
/// (<c>none</c>) and confidential ones (secret returned once, stored hashed). Limited per client address (Throttling.OAuthEndpointLimitsMiddleware).
/// </summary>
public static class ClientRegistrationApi
{
    public const string RateLimitPolicy = "client-registration";

    public const int MaxMetadataBytes = 16 * 1024;
    public const int MaxRedirectUris = 10;
    public const int MaxRedirectUriLength = 2_000;

    private static readonly string[] AuthMethods = [ClientAuthenticationMethods.None, ClientAuthenticationMethods.ClientSecretBasic, ClientAuthenticationMethods.ClientSecretPost];
    private static readonly string[] SupportedGrantTypes = [GrantTypes.AuthorizationCode, GrantTypes.RefreshToken];

    public static IEndpointRouteBuilder MapClientRegistrationApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/" + DiscoveryMetadataHandler.RegistrationPath, RegisterAsync)
            .DisableAntiforgery()
            .WithName("RegisterClient");
        return app;
    }

    public static async Task<IResult> RegisterAsync(HttpRequest request, IOpenIddictApplicationManager applications,
        IOptions<OAuthServerOptions> options, TimeProvider time, CancellationToken ct)
    {
        if (await RequestBodies.ReadAtMostAsync(request, MaxMetadataBytes, ct) is not { } body)
        {
            return Error(OAuthErrorCodes.InvalidClientMetadata, $"The client metadata must be at most {MaxMetadataBytes / 1024} KB.");
        }

        ClientMetadata? metadata;
        try
        {
            metadata = JsonSerializer.Deserialize<ClientMetadata>(body);
        }
        catch (JsonException)
        {
            return Error(OAuthErrorCodes.InvalidClientMetadata, "The body must be a JSON object of client metadata (RFC 7591).");
        }

        if (metadata is null)
        {
            return Error(OAuthErrorCodes.InvalidClientMetadata, "The body must be a JSON object of client metadata (RFC 7591).");
        }

        if (Validate(metadata) is { } refusal)
        {
            return refusal;
        }

        var authMethod = metadata.TokenEndpointAuthMethod ?? ClientAuthenticationMethods.ClientSecretBasic;
        var grantTypes = metadata.GrantTypes is { Length: > 0 } g ? g.Distinct().ToArray() : [GrantTypes.AuthorizationCode];
        var scopes = ScopeCatalogue.Parse(metadata.Scope);
        var isPublic = authMethod == ClientAuthenticationMethods.None;
        var clientId = "client_" + Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(16));
        var secret = isPublic ? null : Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(32));
        var clientName = string.IsNullOrWhiteSpace(metadata.ClientName) ? clientId : metadata.ClientName.Trim();

        var descriptor = new OpenIddictApplicationDescriptor
        {
            ClientId = clientId,
            ClientSecret = secret,
            ClientType = isPublic ? ClientTypes.Public : ClientTypes.Confidential,
            ConsentType = ConsentTypes.Explicit,
            DisplayName = clientName,
            Permissions =
            {
                Permissions.Endpoints.Authorization,
                Permissions.Endpoints.Token,
                Permissions.Endpoints.Revocation,
                Permissions.ResponseTypes.Code,
            },
            Requirements = { Requirements.Features.ProofKeyForCodeExchange },
        };
        foreach (var uri in metadata.RedirectUris!)
        {
            descriptor.RedirectUris.Add(new Uri(uri));
        }

        // The consent page tells the person how and when this client came to exist (anyone may register one).
        descriptor.SetRegistration(ClientProvenance.Dynamic, time.GetUtcNow());

        foreach (var grantType in grantTypes)
        {
            descriptor.Permissions.Add(Permissions.Prefixes.GrantType + grantType);
        }

        // A client may ask for any scope it registered (all of them if it named none); consent and the
        // person's role decide what it actually gets.
        foreach (var scope in scopes.Count > 0 ? scopes : ScopeCatalogue.Names)
        {
            descriptor.Permissions.Add(Permissions.Prefixes.Scope + scope);
        }

        foreach (var resource in options.Value.Resources)
        {
            descriptor.Permissions.Add(Permissions.Prefixes.Resource + resource);
        }

        await applications.CreateAsync(descriptor, ct);

        return TypedResults.Json(new RegisteredClient
        {
            ClientId = clientId,
            ClientSecret = secret,
            ClientIdIssuedAt = time.GetUtcNow().ToUnixTimeSeconds(),
            ClientSecretExpiresAt = secret is null ? null : 0,
            ClientName = clientName,
            RedirectUris = metadata.RedirectUris!,
            TokenEndpointAuthMethod = authMethod,
            GrantTypes = grantTypes,
            ResponseTypes = [ResponseTypes.Code],
            Scope = scopes.Count > 0 ? string.Join(' ', scopes) : null,
        }, statusCode: StatusCodes.Status201Created);
    }

    private static IResult? Validate(ClientMetadata metadata)
    {
        if (metadata.RedirectUris is not { Length: > 0 })
        {
            return Error(OAuthErrorCodes.InvalidRedirectUri, "redirect_uris must list at least one redirect URI.");
        }

        if (metadata.RedirectUris.Length > MaxRedirectUris)
        {
            return Error(OAuthErrorCodes.InvalidRedirectUri, $"redirect_uris may list at most {MaxRedirectUris} redirect URIs.");
        }

        foreach (var uri in metadata.RedirectUris)
        {
            if (uri is { Length: > MaxRedirectUriLength })
            {
                return Error(OAuthErrorCodes.InvalidRedirectUri, $"Every redirect URI must be at most {MaxRedirectUriLength} characters.");
            }

            if (RedirectUriProblem(uri) is { } problem)
            {
                return Error(OAuthErrorCodes.InvalidRedirectUri, problem);
            }
        }

        if (metadata.TokenEndpointAuthMethod is { } method && !AuthMethods.Contains(method, StringComparer.Ordinal))
        {
            return Error(OAuthErrorCodes.InvalidClientMetadata,
                $"token_endpoint_auth_method must be one of: {string.Join(", ", AuthMethods)}.");
        }

        if (metadata.GrantTypes?.FirstOrDefault(g => !SupportedGrantTypes.Contains(g, StringComparer.Ordinal)) is { } grant)
        {
            return Error(OAuthErrorCodes.InvalidClientMetadata,
                $"grant type '{grant}' is not supported; use authorization_code (with PKCE) and refresh_token.");
        }

        if (metadata.GrantTypes is { Length: > 0 } grants && !grants.Contains(GrantTypes.AuthorizationCode, StringComparer.Ordinal))
        {
            return Error(OAuthErrorCodes.InvalidClientMetadata, "grant_types must include authorization_code.");
        }

        if (metadata.ResponseTypes?.FirstOrDefault(r => r != ResponseTypes.Code) is { } responseType)
        {
            return Error(OAuthErrorCodes.InvalidClientMetadata, $"response type '{responseType}' is not supported; only 'code' is.");
        }

        if (ScopeCatalogue.Unknown(ScopeCatalogue.Parse(metadata.Scope)) is { Count: > 0 } unknown)
        {
            return Error(OAuthErrorCodes.InvalidClientMetadata, $"Unknown scope(s): {string.Join(", ", unknown)}.");
        }

        if (metadata.ClientName is { Length: > 100 })
        {
            return Error(OAuthErrorCodes.InvalidClientMetadata, "client_name must be at most 100 characters.");
        }

        return null;
    }

    /// <summary>https anywhere, or plain http on a loopback address (RFC 8252 §7.3); never a fragment.</summary>
    public static string? RedirectUriProblem(string? uri)
    {
        if (string.IsNullOrWhiteSpace(uri) || !Uri.TryCreate(uri, UriKind.Absolute, out var parsed))
        {
            return "Every redirect URI must be an absolute URI.";
        }

        if (uri.Contains('#', StringComparison.Ordinal))
        {
            return $"Redirect URI '{uri}' must not contain a fragment.";
        }

        if (parsed.Scheme == Uri.UriSchemeHttps)
        {
            return null;
        }

        if (parsed.Scheme == Uri.UriSchemeHttp && IsLoopback(parsed))
        {
            return null;
        }

        return $"Redirect URI '{uri}' must use https, or http on a loopback address (127.0.0.1, [::1] or localhost).";
    }

    private static bool IsLoopback(Uri uri) =>
        string.Equals(uri.Host, "localhost", StringComparison.OrdinalIgnoreCase)
        || (IPAddress.TryParse(uri.IdnHost, out var address) && IPAddress.IsLoopback(address));

    private static IResult Error(string error, string description) =>
        TypedResults.Json(new { error, error_description = description }, statusCode: StatusCodes.Status400BadRequest);

    private sealed class ClientMetadata
    {
        [JsonPropertyName("redirect_uris")] public string[]? RedirectUris { get; set; }
        [JsonPropertyName("client_name")] public string? ClientName { get; set; }
        [JsonPropertyName("token_endpoint_auth_method")] public string? TokenEndpointAuthMethod { get; set; }
        [JsonPropertyName("grant_types")] public string[]? GrantTypes { get; set; }
        [JsonPropertyName("response_types")] public string[]? ResponseTypes { get; set; }
        [JsonPropertyName("scope")] public string? Scope { get; set; }
    }

    private sealed class RegisteredClient
    {
        [JsonPropertyName("client_id")] public required string ClientId { get; init; }
        [JsonPropertyName("client_secret"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? ClientSecret { get; init; }
        [JsonPropertyName("client_id_issued_at")] public long ClientIdIssuedAt { get; init; }
        [JsonPropertyName("client_secret_expires_at"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public long? ClientSecretExpiresAt { get; init; }
        [JsonPropertyName("client_name")] public required string ClientName { get; init; }
        [JsonPropertyName("redirect_uris")] public required string[] RedirectUris { get; init; }
        [JsonPropertyName("token_endpoint_auth_method")] public required string TokenEndpointAuthMethod { get; init; }
        [JsonPropertyName("grant_types")] public required string[] GrantTypes { get; init; }
        [JsonPropertyName("response_types")] public required string[] ResponseTypes { get; init; }
        [JsonPropertyName("scope"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Scope { get; init; }
    }
}
