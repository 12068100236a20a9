using AlyAspire.SampleAgent;

// The first program a developer integrating with AlyAspire runs: it walks both credential paths end to end
// and exits non-zero when any step does not behave as the platform promises.
var settings = AgentSettings.FromEnvironment(args);
if (settings.Command is not ("pkce" or "apikey"))
{
    Console.Error.WriteLine("""
        usage:
          dotnet run --project SampleAgent -- pkce [--headless]      OAuth 2.1: discovery, registration, PKCE, refresh, revoke
          dotnet run --project SampleAgent -- apikey [--key aly_…]   API key: calls, a 403 for a missing scope, a 429 and its Retry-After
        The API key may also come from ALY_API_KEY. Platform URLs come from services__authserver__http__0 and
        services__storefrontapi__http__0 (set by the AppHost), else http://localhost:5100 and http://localhost:5200.
        """);
    return 2;
}

using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(10));
Console.CancelKeyPress += (_, e) => { e.Cancel = true; cts.Cancel(); };
var report = new StepReport(Console.Out);
try
{
    if (settings.Command == "pkce")
    {
        await new PkceFlow(settings, report).RunAsync(cts.Token);
    }
    else
    {
        await new ApiKeyFlow(settings, report).RunAsync(cts.Token);
    }
}
catch (AgentStepFailedException ex)
{
    report.Fail(ex.Message);
}
catch (HttpRequestException ex)
{
    report.Fail($"the platform could not be reached: {ex.Message} (is `dotnet run --project AppHost` running?)");
}
catch (OperationCanceledException)
{
    report.Fail("stopped before the flow finished");
}

return report.Succeeded ? 0 : 1;
