using System.Text.Json;
using OpenIddict.Abstractions;

namespace AlyAspire.AuthServer.OAuth;

/// <summary>
/// The workspace a consent (an OpenIddict authorization) was given for, kept in the authorization's
/// properties: written when consent is given, read wherever consents are matched to a workspace.
/// </summary>
public static class AuthorizationWorkspace
{
    /// <summary>The authorization's property naming the workspace consent was given for.</summary>
    public const string Property = "org";

    public static void SetWorkspace(this OpenIddictAuthorizationDescriptor descriptor, Guid workspaceId) =>
        descriptor.Properties[Property] = JsonSerializer.SerializeToElement(workspaceId.ToString());

    /// <summary>The workspace named by an authorization's stored properties (JSON), or null.</summary>
    public static Guid? Parse(string? properties)
    {
        if (string.IsNullOrEmpty(properties))
        {
            return null;
        }

        using var document = JsonDocument.Parse(properties);
        return document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty(Property, out var value)
            && value.ValueKind == JsonValueKind.String && Guid.TryParse(value.GetString(), out var workspaceId)
            ? workspaceId
            : null;
    }

    /// <summary>The workspace the authorization was given for, or null when it names none.</summary>
    public static async ValueTask<Guid?> GetWorkspaceIdAsync(this IOpenIddictAuthorizationManager authorizations, object authorization, CancellationToken ct)
    {
        var properties = await authorizations.GetPropertiesAsync(authorization, ct);
        return properties.TryGetValue(Property, out var value) && value.ValueKind == JsonValueKind.String
            && Guid.TryParse(value.GetString(), out var workspaceId)
            ? workspaceId
            : null;
    }
}

/// <summary>
/// What a consent actually granted (the requested scopes the person's role allowed), kept in the authorization's
/// properties beside the requested ones OpenIddict keeps for matching later requests.
/// </summary>
public static class AuthorizationGrantedScopes
{
    public const string Property = "granted_scopes";

    public static void SetGrantedScopes(this OpenIddictAuthorizationDescriptor descriptor, IEnumerable<string> scopes) =>
        descriptor.Properties[Property] = JsonSerializer.SerializeToElement(scopes.ToArray());

    /// <summary>The granted scopes, or null for a consent given before they were recorded.</summary>
    public static async ValueTask<IReadOnlyList<string>?> GetGrantedScopesAsync(this IOpenIddictAuthorizationManager authorizations, object authorization, CancellationToken ct)
    {
        var properties = await authorizations.GetPropertiesAsync(authorization, ct);
        return properties.TryGetValue(Property, out var value) && value.ValueKind == JsonValueKind.Array
            ? value.EnumerateArray().Where(v => v.ValueKind == JsonValueKind.String).Select(v => v.GetString()!).ToArray()
            : null;
    }
}
