using AlyAspire.Shared.Routes;
using System.Diagnostics;
using System.Text.Json;
using ModelContextProtocol.Authentication;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace AlyAspire.SampleAgent;

/// <summary>
/// An MCP client as a third party writes one, on the MCP C# SDK with its OAuth support: the SDK meets the server's
/// 401, reads its protected resource metadata (RFC 9728) and the authorization server's metadata (RFC 8414), registers
/// a public client (RFC 7591), runs the code flow with PKCE on a loopback redirect and sends the token; this agent only
/// answers the SDK's "please authorize" callback (its headless browser signs in and consents when asked to), then
/// lists tools and calls two of them.
/// </summary>
internal sealed class McpFlow(AgentSettings settings, StepReport report)
{
    public async Task RunAsync(CancellationToken ct)
    {
        using var listener = LoopbackRedirectListener.Start();
        var endpoint = new Uri(settings.StorefrontApi, AgentRoutes.Mcp);
        report.Info($"MCP endpoint {endpoint}  listening for the redirect on {listener.RedirectUri}");

        // Every exchange the SDK makes, shown as a step: that is the discovery chain a developer wants to see.
        using var http = new HttpClient(new ExchangeReporter(report) { InnerHandler = new SocketsHttpHandler() }) { Timeout = TimeSpan.FromSeconds(60) };
        var requested = settings.Scope.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var transport = new HttpClientTransport(new HttpClientTransportOptions
        {
            Endpoint = endpoint,
            TransportMode = HttpTransportMode.StreamableHttp,
            // No long-lived GET stream: this agent only makes requests and reads their answers.
            EnableStandaloneGetStream = false,
            OAuth = new ClientOAuthOptions
            {
                RedirectUri = listener.RedirectUri,
                // Least privilege: the server offers every scope its tools use; this agent asks only for what it needs.
                ScopeSelector = _ => requested,
                DynamicClientRegistration = new DynamicClientRegistrationOptions
                {
                    ClientName = "AlyAspire SampleAgent (MCP)",
                    ResponseDelegate = (registered, _) =>
                    {
                        report.Info($"registered client_id {registered.ClientId}");
                        return Task.CompletedTask;
                    },
                },
                AuthorizationCallbackHandler = (context, token) => AuthorizeAsync(listener, context.AuthorizationUri, token),
            },
        }, http, ownsHttpClient: false);

        var stopwatch = Stopwatch.StartNew();
        await using var client = await McpClient.CreateAsync(transport, cancellationToken: ct);
        report.Pass("Connected with OAuth", client.ServerInfo?.Name ?? "connected", stopwatch.Elapsed);

        stopwatch.Restart();
        var tools = await client.ListToolsAsync(cancellationToken: ct);
        report.Pass("tools/list", $"{tools.Count} tools", stopwatch.Elapsed);
        report.Info(string.Join(' ', tools.Select(t => t.Name).Order(StringComparer.Ordinal)));
        if (!tools.Any(t => t.Name == "list_orders") || !tools.Any(t => t.Name == "get_order"))
        {
            throw new AgentStepFailedException("tools/list has no list_orders and get_order: the token was not granted read:orders");
        }

        var page = await CallAsync(client, "list_orders", new Dictionary<string, object?> { ["pageSize"] = 3 }, ct);
        var orders = page.GetProperty("items").EnumerateArray().ToArray();
        report.Info($"{page.GetProperty("total")} orders; the newest:");
        foreach (var order in orders)
        {
            report.Info($"#{order.GetProperty("number")}  {order.GetProperty("state").GetString(),-10} {order.GetProperty("total")} {order.GetProperty("currency")}  {order.GetProperty("id")}");
        }

        if (orders.Length > 0)
        {
            var details = await CallAsync(client, "get_order", new Dictionary<string, object?> { ["orderId"] = orders[0].GetProperty("id").GetString() }, ct);
            report.Info($"#{details.GetProperty("number")}: {details.GetProperty("lines").GetArrayLength()} line(s), {details.GetProperty("fulfillments").GetArrayLength()} fulfillment(s), total {details.GetProperty("total")} {details.GetProperty("currency")}");
        }

        report.Done("the MCP path behaves as promised.");
    }

    /// <summary>The SDK's authorization callback: the browser step of the code flow, and the redirect's parameters back to the SDK.</summary>
    private async Task<AuthorizationResult?> AuthorizeAsync(LoopbackRedirectListener listener, Uri authorizationUri, CancellationToken ct)
    {
        var stopwatch = Stopwatch.StartNew();
        var callback = listener.WaitForCallbackAsync(ct);
        if (settings.Headless)
        {
            await new HeadlessBrowser(settings, report).SignInAndConsentAsync(authorizationUri, ct);
        }
        else
        {
            report.Info("Open this URL in a browser, sign in and allow access:");
            report.Info(authorizationUri.AbsoluteUri);
            BrowserLauncher.TryOpen(authorizationUri.AbsoluteUri);
        }

        var query = await callback.WaitAsync(TimeSpan.FromMinutes(5), ct);
        if (!query.TryGetValue("code", out var code))
        {
            throw new AgentStepFailedException($"authorization refused: {query.GetValueOrDefault("error")} {query.GetValueOrDefault("error_description")}");
        }

        report.Pass("Authorization code received on the loopback redirect", "to the SDK", stopwatch.Elapsed);
        // The SDK checks state (CSRF) and iss (RFC 9207 mix-up) itself.
        return new AuthorizationResult
        {
            Code = code.ToString(),
            State = query.GetValueOrDefault("state").ToString(),
            Iss = query.TryGetValue("iss", out var iss) ? iss.ToString() : null,
        };
    }

    private async Task<JsonElement> CallAsync(McpClient client, string tool, Dictionary<string, object?> arguments, CancellationToken ct)
    {
        var stopwatch = Stopwatch.StartNew();
        var result = await client.CallToolAsync(tool, arguments, cancellationToken: ct);
        var text = result.Content.OfType<TextContentBlock>().FirstOrDefault()?.Text;
        if (result.IsError == true || text is null)
        {
            throw new AgentStepFailedException($"tools/call {tool} answered with a tool error: {text}");
        }

        report.Pass($"tools/call {tool}", "ok", stopwatch.Elapsed);
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>Reports each HTTP exchange by method, path and status; never headers, query strings or bodies (they carry secrets).</summary>
    private sealed class ExchangeReporter(StepReport report) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var what = $"{request.Method} {request.RequestUri?.AbsolutePath}";
            var mcpMethod = request.Content is { } content && request.RequestUri?.AbsolutePath == AgentRoutes.Mcp ? await McpMethodAsync(content, cancellationToken) : null;
            var stopwatch = Stopwatch.StartNew();
            var response = await base.SendAsync(request, cancellationToken);
            report.Pass($"SDK: {what}{(mcpMethod is null ? string.Empty : $" ({mcpMethod})")}", $"{(int)response.StatusCode} {response.StatusCode}", stopwatch.Elapsed);
            if (response.StatusCode == System.Net.HttpStatusCode.Unauthorized)
            {
                report.Info($"WWW-Authenticate: {response.Headers.WwwAuthenticate}");
            }

            return response;
        }

        private static async Task<string?> McpMethodAsync(HttpContent content, CancellationToken ct)
        {
            try
            {
                await content.LoadIntoBufferAsync(ct); // read once here, sent from the buffer
                using var json = JsonDocument.Parse(await content.ReadAsStringAsync(ct));
                return json.RootElement.ValueKind == JsonValueKind.Object && json.RootElement.TryGetProperty("method", out var method) ? method.GetString() : null;
            }
            catch (JsonException)
            {
                return null;
            }
        }
    }
}
