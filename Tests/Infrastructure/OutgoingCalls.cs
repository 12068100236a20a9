using Microsoft.Extensions.DependencyInjection;

namespace AlyAspire.Tests.Infrastructure;

/// <summary>Counts the requests a named HTTP client of a test's own service provider sends out.</summary>
internal sealed class OutgoingCalls
{
    private int _count;

    public int Count => Volatile.Read(ref _count);

    /// <summary>Counts <paramref name="client"/>'s requests (a handler per handler chain the factory builds).</summary>
    public IHttpClientBuilder Track(IHttpClientBuilder client) => client.AddHttpMessageHandler(() => new CountingHandler(this));

    private sealed class CountingHandler(OutgoingCalls calls) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref calls._count);
            return base.SendAsync(request, cancellationToken);
        }
    }
}
