using OpenIddict.Server;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace AlyAspire.AuthServer.OAuth;

/// <summary>
/// Before OpenIddict looks the client up, an https <c>client_id</c> is resolved through its metadata document
/// (<see cref="ClientMetadataDocuments"/>), in place of a registration; a document that cannot be used is an
/// <c>invalid_client</c> refusal naming why.
/// </summary>
public sealed class ClientMetadataDocumentHandler(ClientMetadataDocuments documents) : IOpenIddictServerHandler<ProcessAuthenticationContext>
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
        OpenIddictServerHandlerDescriptor.CreateBuilder<ProcessAuthenticationContext>()
            .UseScopedHandler<ClientMetadataDocumentHandler>()
            .SetOrder(OpenIddictServerHandlers.ValidateClientId.Descriptor.Order - 1)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public async ValueTask HandleAsync(ProcessAuthenticationContext context)
    {
        // Only where a client starts a flow; later requests (token, revocation) find the application it created.
        if (context.EndpointType != OpenIddictServerEndpointType.Authorization || !ClientMetadataDocuments.IsDocumentUrl(context.ClientId))
        {
            return;
        }

        try
        {
            await documents.EnsureClientAsync(context.ClientId!, context.CancellationToken);
        }
        catch (ClientMetadataDocumentException refused)
        {
            context.Reject(Errors.InvalidClient, refused.Message);
        }
    }
}
