using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace AlyAspire.Bench.Peers;

/// <summary>
/// The peer: panva's oidc-provider (pinned in <c>peer/package.json</c>, installed with <c>npm ci</c> on first use),
/// configured by <c>peer/server.mjs</c>, as a Node process on a free loopback port.
/// </summary>
internal sealed class PeerServer : IAsyncDisposable
{
    public const string ClientId = "bench-resource-server";

    private readonly Process _node;

    private PeerServer(Process node, Uri address, string clientSecret)
    {
        _node = node;
        Address = address;
        ClientSecret = clientSecret;
    }

    public Uri Address { get; }

    public string ClientSecret { get; }

    public static async Task<PeerServer> StartAsync(string peerDirectory)
    {
        if (!Directory.Exists(Path.Combine(peerDirectory, "node_modules", "oidc-provider")))
        {
            Console.WriteLine("Installing the peer (npm ci)…");
            await RunAsync("npm", "ci --no-audit --no-fund", peerDirectory);
        }

        var port = FreePort();
        var secret = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        var start = new ProcessStartInfo("node")
        {
            WorkingDirectory = peerDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "server.mjs", port.ToString(System.Globalization.CultureInfo.InvariantCulture), ClientId, secret })
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["NODE_ENV"] = "production";
        var node = Process.Start(start) ?? throw new InvalidOperationException("node did not start.");
        node.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is { Length: > 0 } line && !line.Contains("WARNING", StringComparison.Ordinal))
            {
                Console.Error.WriteLine("peer: " + line);
            }
        };
        node.BeginErrorReadLine();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (await node.StandardOutput.ReadLineAsync(cts.Token) is { } line)
        {
            if (line.StartsWith("listening", StringComparison.Ordinal))
            {
                return new PeerServer(node, new Uri($"http://127.0.0.1:{port}/"), secret);
            }
        }

        throw new InvalidOperationException("The peer exited before it listened.");
    }

    private static async Task RunAsync(string file, string arguments, string directory)
    {
        using var process = Process.Start(new ProcessStartInfo(file, arguments) { WorkingDirectory = directory, UseShellExecute = false })
            ?? throw new InvalidOperationException($"{file} did not start.");
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {arguments} failed with exit code {process.ExitCode}.");
        }
    }

    private static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_node.HasExited)
        {
            _node.Kill(entireProcessTree: true);
            await _node.WaitForExitAsync();
        }

        _node.Dispose();
    }
}
