using System.Text.Json;
using OpenIddict.Abstractions;

namespace AlyAspire.AuthServer.OAuth;

/// <summary>How a client came to be registered: what the consent page tells the person about it.</summary>
/// <param name="Method"><see cref="ClientProvenance.Dynamic"/> (RFC 7591, by anyone) or <see cref="ClientProvenance.PreRegistered"/>.</param>
/// <param name="RegisteredAt">When, where known.</param>
public sealed record ClientRegistration(string Method, DateTimeOffset? RegisteredAt)
{
    /// <summary>Nobody at AlyAspire looked at a dynamically registered client: its name is its own claim.</summary>
    public bool IsVerified => Method == ClientProvenance.PreRegistered;
}

/// <summary>
/// Kept in the OpenIddict application's properties: written at dynamic registration, read by the consent page.
/// An application without it was registered by the platform's operator (seeded), not through open registration.
/// </summary>
public static class ClientProvenance
{
    public const string Property = "registration";
    public const string Dynamic = "dynamic";
    public const string PreRegistered = "pre-registered";

    public static void SetRegistration(this OpenIddictApplicationDescriptor descriptor, string method, DateTimeOffset at) =>
        descriptor.Properties[Property] = JsonSerializer.SerializeToElement(new Dictionary<string, string>
        {
            ["method"] = method,
            ["registered_at"] = at.ToString("O"),
        });

    public static async ValueTask<ClientRegistration> GetRegistrationAsync(this IOpenIddictApplicationManager applications, object application, CancellationToken ct)
    {
        var properties = await applications.GetPropertiesAsync(application, ct);
        if (!properties.TryGetValue(Property, out var value) || value.ValueKind != JsonValueKind.Object)
        {
            return new ClientRegistration(PreRegistered, null);
        }

        var method = value.TryGetProperty("method", out var m) && m.GetString() is { } name ? name : Dynamic;
        DateTimeOffset? at = value.TryGetProperty("registered_at", out var t) && DateTimeOffset.TryParse(t.GetString(), out var parsed) ? parsed : null;
        return new ClientRegistration(method, at);
    }
}
