using System.Net.Http.Json;
using System.Text.Json;
using AlyAspire.Shared.Scopes;
using AlyAspire.Tests.Infrastructure;

namespace AlyAspire.Tests.EndToEnd;

/// <summary>The consent page says who is asking and where they send the person back to, in a real browser.</summary>
[Collection(PlatformCollection.Name)]
public sealed class ConsentProvenanceTests(PlatformFixture platform)
{
    [Fact]
    public async Task A_dynamically_registered_client_is_shown_with_its_id_hosts_registration_and_not_verified_mark()
    {
        using var authServer = platform.CreateClient("authserver");
        await using var person = await BrowserPerson.StartAsync(platform);
        var registeredFrom = DateTimeOffset.UtcNow.AddMinutes(-1);
        using var registration = await authServer.PostAsJsonAsync("/oauth/register", new
        {
            client_name = "AlyAspire Official Assistant",
            redirect_uris = new[] { person.RedirectUri, "https://collector.example.net/cb" },
            grant_types = new[] { "authorization_code", "refresh_token" },
            response_types = new[] { "code" },
            token_endpoint_auth_method = "none",
            scope = "read:orders write:orders",
        });
        var clientId = (await registration.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("client_id").GetString()!;
        var pkce = OAuthTestClient.NewPkce();
        var oauth = new OAuthTestClient(authServer);

        await person.Page.GotoAsync(oauth.AuthorizeUrl(clientId, pkce, "read:orders write:orders", person.RedirectUri).ToString());
        await person.SignInIfAskedAsync();
        await person.Page.ScreenshotAsync(new() { Path = Path.Combine(RepositoryPaths.Artifacts, "consent-provenance.png"), FullPage = true });

        Assert.Contains("Not verified by AlyAspire", await person.Page.Locator("#not-verified").InnerTextAsync());
        Assert.Equal(clientId, await person.Page.Locator("#client-id").InnerTextAsync());
        var hosts = await person.Page.Locator("#redirect-hosts li").AllInnerTextsAsync();
        Assert.Equal(["127.0.0.1:" + new Uri(person.RedirectUri).Port, "collector.example.net"], hosts.Order(StringComparer.Ordinal).ToArray());
        var registered = await person.Page.Locator("#client-registration").InnerTextAsync();
        Assert.Contains("dynamic registration", registered);
        var shownAt = DateTimeOffset.Parse(registered[(registered.IndexOf(" on ", StringComparison.Ordinal) + 4)..].Replace(" UTC", "Z"));
        Assert.InRange(shownAt, registeredFrom.AddMinutes(-1), DateTimeOffset.UtcNow.AddMinutes(1));
        // The scopes in plain words, beside their names.
        var scopes = await person.Page.Locator(".scope-list li").AllInnerTextsAsync();
        Assert.Contains(scopes, s => s.Contains(ScopeCatalogue.Find(ScopeCatalogue.WriteOrders)!.Description) && s.Contains(ScopeCatalogue.WriteOrders));

        // After consent, connected apps lists what was granted (the token's scopes).
        var (query, _) = await person.AuthorizeAsync(oauth.AuthorizeUrl(clientId, pkce, "read:orders write:orders", person.RedirectUri));
        var tokens = await oauth.RedeemCodeAsync(clientId, query["code"]!, pkce, person.RedirectUri);
        var granted = tokens.GetProperty("scope").GetString()!.Split(' ').Order(StringComparer.Ordinal).ToArray();
        await person.OpenAsync("/connected-apps");
        var listed = await person.Page.Locator($"tr:has-text('{clientId}') td:nth-child(3) code").AllInnerTextsAsync();
        Assert.Equal(granted, listed.Order(StringComparer.Ordinal).ToArray());
    }
}
