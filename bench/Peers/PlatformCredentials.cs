using System.Net;
using AlyAspire.Bench.Support;
using AlyAspire.Shared.Development;

namespace AlyAspire.Bench.Peers;

/// <summary>
/// What the AlyAspire side of the benchmark needs, obtained the way users obtain it: the development owner signs in to
/// the dashboard and creates a machine client there; an agent registers (RFC 7591) and walks the code flow with PKCE
/// once per refresh-token chain (consent is remembered after the first).
/// </summary>
internal sealed class PlatformCredentials(Uri authServer) : IDisposable
{
    private const string Scope = "read:orders";

    private readonly BrowserSession _browser = new(authServer);

    public Task SignInAsync() => _browser.SignInAsync(DemoWorkspace.DefaultOwnerEmail, DemoWorkspace.DefaultOwnerPassword);

    /// <summary>A machine client with <c>read:orders</c>, created on the dashboard's machine-clients page.</summary>
    public async Task<(string ClientId, string Secret)> CreateMachineClientAsync()
    {
        var form = BrowserSession.HiddenFields(await _browser.Http.GetStringAsync("/settings/machine-clients"));
        form["name"] = "peer benchmark";
        form["scopes"] = Scope;
        var created = await _browser.Http.PostAsync("/settings/machine-clients?handler=Create", new FormUrlEncodedContent(form));
        BrowserSession.Expect(created, HttpStatusCode.OK, "machine client creation");
        var html = await created.Content.ReadAsStringAsync();
        return (BrowserSession.InputValue(html, "new-client-id"), BrowserSession.InputValue(html, "new-secret"));
    }

    /// <summary>A public client with the refresh_token grant, and <paramref name="chains"/> refresh tokens of its own.</summary>
    public async Task<(string ClientId, string[] RefreshTokens)> RefreshChainsAsync(int chains)
    {
        var clientId = await _browser.RegisterPublicClientAsync("Peer benchmark agent", ["authorization_code", "refresh_token"], Scope);
        var tokens = new string[chains];
        for (var i = 0; i < chains; i++)
        {
            tokens[i] = (await _browser.CodeFlowAsync(clientId, Scope, resource: null, state: $"bench{i}")).GetProperty("refresh_token").GetString()!;
        }

        return (clientId, tokens);
    }

    public void Dispose() => _browser.Dispose();
}
