using OpenIddict.Server;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace AlyAspire.AuthServer.OAuth;

/// <summary>
/// Adds what OpenIddict does not know about to the RFC 8414 metadata: the dynamic client registration
/// endpoint (RFC 7591, served by <c>ClientRegistrationApi</c>), public clients' <c>none</c> authentication and
/// client ID metadata documents.
/// </summary>
public sealed class DiscoveryMetadataHandler : IOpenIddictServerHandler<HandleConfigurationRequestContext>
{
    public const string RegistrationPath = "oauth/register";

    public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
        OpenIddictServerHandlerDescriptor.CreateBuilder<HandleConfigurationRequestContext>()
            .UseSingletonHandler<DiscoveryMetadataHandler>()
            .SetOrder(OpenIddictServerHandlers.Discovery.AttachAdditionalMetadata.Descriptor.Order + 1_000)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public ValueTask HandleAsync(HandleConfigurationRequestContext context)
    {
        var issuer = context.Issuer ?? context.BaseUri
            ?? throw new InvalidOperationException("The issuer of the discovery document is unknown.");
        context.Metadata["registration_endpoint"] = new Uri(issuer, RegistrationPath).AbsoluteUri;
        context.TokenEndpointAuthenticationMethods.Add(ClientAuthenticationMethods.None);
        context.Metadata["authorization_response_iss_parameter_supported"] = true;
        // An https client_id may name its client ID metadata document instead of registering (ClientMetadataDocuments).
        context.Metadata["client_id_metadata_document_supported"] = true;
        return ValueTask.CompletedTask;
    }
}
