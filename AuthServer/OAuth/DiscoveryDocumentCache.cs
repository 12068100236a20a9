using System.Collections.Concurrent;
using Microsoft.AspNetCore;
using OpenIddict.Server;
using OpenIddict.Server.AspNetCore;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace AlyAspire.AuthServer.OAuth;

/// <summary>
/// The RFC 8414 / OpenID discovery document, built once per issuer and then served as stored bytes: everything in
/// it comes from the server's configuration (endpoints, grants, scopes, algorithms), which cannot change while the
/// process runs. <see cref="Store"/> keeps what OpenIddict built the first time; <see cref="Serve"/> answers later
/// requests before OpenIddict builds it again. Entries are keyed by issuer; only a handful are kept, so arbitrary
/// Host headers cannot grow the cache.
/// </summary>
public sealed class DiscoveryDocumentCache
{
    private const int MaxIssuers = 8;

    private readonly ConcurrentDictionary<string, byte[]> _documents = new(StringComparer.Ordinal);

    private static string? KeyOf(BaseContext context) => (context.Options.Issuer ?? context.BaseUri)?.AbsoluteUri;

    /// <summary>Answers a discovery request from the stored document, if there is one for its issuer.</summary>
    public sealed class Serve(DiscoveryDocumentCache cache) : IOpenIddictServerHandler<ProcessRequestContext>
    {
        public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
            OpenIddictServerHandlerDescriptor.CreateBuilder<ProcessRequestContext>()
                .AddFilter<OpenIddictServerHandlerFilters.RequireConfigurationRequest>()
                .UseSingletonHandler<Serve>()
                .SetOrder(OpenIddictServerHandlers.Discovery.ExtractConfigurationRequest.Descriptor.Order - 500)
                .SetType(OpenIddictServerHandlerType.Custom)
                .Build();

        public async ValueTask HandleAsync(ProcessRequestContext context)
        {
            var request = context.Transaction.GetHttpRequest();
            if (request is null || !HttpMethods.IsGet(request.Method) || KeyOf(context) is not { } key
                || !cache._documents.TryGetValue(key, out var document))
            {
                return;
            }

            await OpenIddictJsonDocuments.WriteAsync(request.HttpContext.Response, document, context.CancellationToken);
            context.HandleRequest();
        }
    }

    /// <summary>Keeps the document OpenIddict just built, serialized as OpenIddict serializes it.</summary>
    public sealed class Store(DiscoveryDocumentCache cache) : IOpenIddictServerHandler<ApplyConfigurationResponseContext>
    {
        public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
            OpenIddictServerHandlerDescriptor.CreateBuilder<ApplyConfigurationResponseContext>()
                .UseSingletonHandler<Store>()
                .SetOrder(OpenIddictServerAspNetCoreHandlers.ProcessJsonResponse<ApplyConfigurationResponseContext>.Descriptor.Order - 1)
                .SetType(OpenIddictServerHandlerType.Custom)
                .Build();

        public ValueTask HandleAsync(ApplyConfigurationResponseContext context)
        {
            if (!string.IsNullOrEmpty(context.Error) || context.Transaction.Response is not { } document || KeyOf(context) is not { } key
                || cache._documents.Count >= MaxIssuers)
            {
                return ValueTask.CompletedTask;
            }

            cache._documents.TryAdd(key, OpenIddictJsonDocuments.Serialize(document));
            return ValueTask.CompletedTask;
        }
    }
}
