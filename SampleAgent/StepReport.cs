using System.Diagnostics;
using System.Net;

namespace AlyAspire.SampleAgent;

/// <summary>Prints each step: what it did, the HTTP status and its latency; remembers whether all behaved.</summary>
internal sealed class StepReport(TextWriter output)
{
    private int _step;

    public bool Succeeded { get; private set; } = true;

    public async Task<HttpResponseMessage> SendAsync(string description, HttpClient client, HttpRequestMessage request,
        HttpStatusCode expected, CancellationToken ct)
    {
        var stopwatch = Stopwatch.StartNew();
        var response = await client.SendAsync(request, ct);
        stopwatch.Stop();
        var ok = response.StatusCode == expected;
        Write(ok, description, $"{(int)response.StatusCode} {response.StatusCode}", stopwatch.Elapsed);
        if (!ok)
        {
            var body = await response.Content.ReadAsStringAsync(ct);
            throw new AgentStepFailedException($"{description}: expected {(int)expected}, got {(int)response.StatusCode}: {Truncate(body)}");
        }

        return response;
    }

    public void Info(string text) => output.WriteLine($"      {text}");

    public void Pass(string description, string detail, TimeSpan elapsed) => Write(true, description, detail, elapsed);

    public void Fail(string message)
    {
        Succeeded = false;
        output.WriteLine($"  ✗   {message}");
        output.WriteLine("FAILED: the platform did not behave as promised.");
    }

    public void Done(string summary) => output.WriteLine(Succeeded ? $"OK: {summary}" : "FAILED");

    private void Write(bool ok, string description, string status, TimeSpan elapsed) =>
        output.WriteLine($"{++_step,3}. {(ok ? "✓" : "✗")} {description,-58} {status,-22} {elapsed.TotalMilliseconds,7:F1} ms");

    private static string Truncate(string text) => text.Length <= 300 ? text : text[..300] + "…";
}

internal sealed class AgentStepFailedException(string message) : Exception(message);
