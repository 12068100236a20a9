using System.Net;
using AlyAspire.StorefrontApi.Application;
using DnsClient;
using DnsClient.Protocol;
using Microsoft.Extensions.Options;

namespace AlyAspire.StorefrontApi.Infrastructure;

/// <summary>
/// Real DNS TXT lookups (DnsClient): the system's resolvers, or <see cref="DomainOptions.DnsServer"/> when set.
/// Nothing is cached here, so a record published a moment ago counts at once (up to the resolver's own cache).
/// </summary>
public sealed class DnsTxtResolver : IDnsTxtResolver
{
    private readonly LookupClient _client;

    public DnsTxtResolver(IOptions<DomainOptions> options)
    {
        var lookup = options.Value.DnsServer is { Length: > 0 } server
            ? new LookupClientOptions(ParseServer(server))
            : new LookupClientOptions();
        lookup.UseCache = false;
        lookup.Timeout = TimeSpan.FromSeconds(3);
        lookup.Retries = 1;
        lookup.ThrowDnsErrors = false;
        lookup.ContinueOnDnsError = false;
        _client = new LookupClient(lookup);
    }

    public async Task<IReadOnlyList<string>> ResolveTxtAsync(string name, CancellationToken ct)
    {
        IDnsQueryResponse response;
        try
        {
            response = await _client.QueryAsync(name, QueryType.TXT, QueryClass.IN, ct);
        }
        catch (DnsResponseException exception)
        {
            throw new DnsLookupException($"The DNS lookup of {name} failed.", exception);
        }

        if (response.HasError && response.Header.ResponseCode != DnsHeaderResponseCode.NotExistentDomain)
        {
            throw new DnsLookupException($"The DNS lookup of {name} failed: {response.Header.ResponseCode}.");
        }

        // A TXT record may be split into several strings; they form one value.
        return response.Answers.TxtRecords().Select(r => string.Concat(r.Text)).ToList();
    }

    private static NameServer ParseServer(string server)
    {
        var endpoint = IPEndPoint.TryParse(server, out var parsed) ? parsed : throw new InvalidOperationException($"{DomainOptions.Section}:DnsServer must be an address:port.");
        return new NameServer(endpoint.Address, endpoint.Port == 0 ? 53 : endpoint.Port);
    }
}
