using AlyAspire.SampleAgent;

// The first program a developer integrating with AlyAspire runs: it walks the credential paths, MCP and UCP end to end
// and exits non-zero when any step does not behave as the platform promises.
var settings = AgentSettings.FromEnvironment(args);
if (settings.Command is not ("pkce" or "apikey" or "mcp" or "ucp"))
{
    Console.Error.WriteLine("""
        usage:
          dotnet run --project SampleAgent -- pkce [--headless]      OAuth 2.1: discovery, registration, PKCE, refresh, revoke
          dotnet run --project SampleAgent -- apikey [--key aly_…]   API key: calls, a 403 for a missing scope, a 429 and its Retry-After
          dotnet run --project SampleAgent -- mcp [--headless]       MCP on the C# SDK with its OAuth: discovery, registration, PKCE, tools
          dotnet run --project SampleAgent -- ucp [--key aly_…] [--profile https://…]
                                                                     UCP with an API key: profile, catalog, checkout, complete, order
        The API key may also come from ALY_API_KEY. Platform URLs come from services__authserver__http__0 and
        services__storefrontapi__http__0 (set by the AppHost), else http://localhost:5100 and http://localhost:5200.
        The UCP platform profile (sent in UCP-Agent) may also come from ALY_UCP_PROFILE.
        """);
    return 2;
}

using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(10));
Console.CancelKeyPress += (_, e) => { e.Cancel = true; cts.Cancel(); };
var report = new StepReport(Console.Out);
try
{
    var flow = settings.Command switch
    {
        "pkce" => new PkceFlow(settings, report).RunAsync(cts.Token),
        "mcp" => new McpFlow(settings, report).RunAsync(cts.Token),
        "ucp" => new UcpFlow(settings, report).RunAsync(cts.Token),
        _ => new ApiKeyFlow(settings, report).RunAsync(cts.Token),
    };
    await flow;
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
