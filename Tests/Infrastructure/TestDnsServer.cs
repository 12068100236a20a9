using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace AlyAspire.Tests.Infrastructure;

/// <summary>
/// A small authoritative DNS server on loopback UDP for the test host: it answers TXT questions for the names a test
/// publishes (empty answers otherwise). The StorefrontApi's real resolver asks it (<c>Domains:DnsServer</c>), so a
/// domain verification goes through a real DNS query and response on the wire.
/// </summary>
public sealed class TestDnsServer : IDisposable
{
    private const ushort TxtType = 16;
    private readonly UdpClient _udp = new(new IPEndPoint(IPAddress.Loopback, 0));
    private readonly ConcurrentDictionary<string, ConcurrentBag<string>> _txt = new(StringComparer.OrdinalIgnoreCase);
    private readonly CancellationTokenSource _stop = new();

    public static TestDnsServer Shared { get; } = new();

    private TestDnsServer() => _ = ServeAsync();

    public string Endpoint => $"127.0.0.1:{((IPEndPoint)_udp.Client.LocalEndPoint!).Port}";

    /// <summary>Publishes a TXT record (what a merchant does at their DNS host).</summary>
    public void PublishTxt(string name, string value) => _txt.GetOrAdd(name.TrimEnd('.'), _ => []).Add(value);

    private async Task ServeAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            UdpReceiveResult received;
            try
            {
                received = await _udp.ReceiveAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            if (Answer(received.Buffer) is { } response)
            {
                await _udp.SendAsync(response, received.RemoteEndPoint, _stop.Token);
            }
        }
    }

    private byte[]? Answer(byte[] query)
    {
        if (query.Length < 12 || BinaryPrimitives.ReadUInt16BigEndian(query.AsSpan(4)) != 1)
        {
            return null;
        }

        // The question: labels up to a zero byte, then QTYPE and QCLASS.
        var labels = new List<string>();
        var offset = 12;
        while (offset < query.Length && query[offset] != 0)
        {
            var length = query[offset];
            if (length > 63 || offset + 1 + length > query.Length)
            {
                return null;
            }

            labels.Add(Encoding.ASCII.GetString(query, offset + 1, length));
            offset += 1 + length;
        }

        var questionEnd = offset + 5;
        if (questionEnd > query.Length)
        {
            return null;
        }

        var type = BinaryPrimitives.ReadUInt16BigEndian(query.AsSpan(offset + 1));
        var values = type == TxtType && _txt.TryGetValue(string.Join('.', labels), out var found) ? found.ToArray() : [];

        using var response = new MemoryStream();
        var header = new byte[12];
        query.AsSpan(0, 2).CopyTo(header); // id
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(2), 0x8580); // response, authoritative, recursion desired/available, NOERROR
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(4), 1);
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(6), (ushort)values.Length);
        response.Write(header);
        response.Write(query.AsSpan(12, questionEnd - 12));
        foreach (var value in values)
        {
            var text = Encoding.UTF8.GetBytes(value);
            var answer = new byte[12];
            BinaryPrimitives.WriteUInt16BigEndian(answer, 0xC00C); // the name: a pointer to the question's
            BinaryPrimitives.WriteUInt16BigEndian(answer.AsSpan(2), TxtType);
            BinaryPrimitives.WriteUInt16BigEndian(answer.AsSpan(4), 1); // IN
            BinaryPrimitives.WriteUInt32BigEndian(answer.AsSpan(6), 0); // TTL
            BinaryPrimitives.WriteUInt16BigEndian(answer.AsSpan(10), (ushort)(text.Length + 1));
            response.Write(answer);
            response.WriteByte((byte)text.Length);
            response.Write(text);
        }

        return response.ToArray();
    }

    public void Dispose()
    {
        _stop.Cancel();
        _udp.Dispose();
    }
}
