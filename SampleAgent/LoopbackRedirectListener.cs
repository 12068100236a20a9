using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Primitives;

namespace AlyAspire.SampleAgent;

/// <summary>
/// Receives the authorization response on http://127.0.0.1:{ephemeral port}/callback/ (RFC 8252 §7.3):
/// native apps and agents listen on whatever port is free; the server matches any port for loopback URIs.
/// </summary>
internal sealed class LoopbackRedirectListener : IDisposable
{
    private readonly HttpListener _listener;

    private LoopbackRedirectListener(HttpListener listener, Uri redirectUri)
    {
        _listener = listener;
        RedirectUri = redirectUri;
    }

    public Uri RedirectUri { get; }

    public static LoopbackRedirectListener Start()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();

        var redirectUri = new Uri($"http://127.0.0.1:{port}/callback/");
        var listener = new HttpListener();
        listener.Prefixes.Add(redirectUri.ToString());
        listener.Start();
        return new LoopbackRedirectListener(listener, redirectUri);
    }

    public async Task<Dictionary<string, StringValues>> WaitForCallbackAsync(CancellationToken ct)
    {
        await using var registration = ct.Register(_listener.Stop);
        var context = await _listener.GetContextAsync();
        var query = QueryHelpers.ParseQuery(context.Request.Url?.Query);
        var page = query.ContainsKey("code")
            ? "<!doctype html><title>AlyAspire SampleAgent</title><p>Signed in. You can close this window and return to the terminal."
            : "<!doctype html><title>AlyAspire SampleAgent</title><p>Authorization did not complete. See the terminal.";
        var bytes = System.Text.Encoding.UTF8.GetBytes(page);
        context.Response.ContentType = "text/html; charset=utf-8";
        context.Response.ContentLength64 = bytes.Length;
        await context.Response.OutputStream.WriteAsync(bytes, ct);
        context.Response.Close();
        return query;
    }

    public void Dispose() => ((IDisposable)_listener).Dispose();
}

internal static class BrowserLauncher
{
    /// <summary>Opens the URL where a desktop browser exists; otherwise the printed URL is the way.</summary>
    public static void TryOpen(string url)
    {
        try
        {
            var opener = OperatingSystem.IsMacOS() ? "open" : OperatingSystem.IsWindows() ? "explorer" : "xdg-open";
            using var process = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo(opener, url)
            {
                UseShellExecute = false,
                RedirectStandardError = true,
                RedirectStandardOutput = true,
            });
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // No browser opener on this machine (a server, a container): the URL above is printed for the person.
        }
    }
}
