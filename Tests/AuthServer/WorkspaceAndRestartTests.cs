using System.Net;
using AlyAspire.Shared.Development;
using AlyAspire.Shared.Scopes;
using AlyAspire.Tests.Infrastructure;

namespace AlyAspire.Tests.AuthServer;

[Collection(PlatformCollection.Name)]
public sealed class WorkspaceAndRestartTests(PlatformFixture platform)
{
    [Fact]
    public async Task A_person_in_two_workspaces_picks_one_on_the_consent_page_and_gets_that_roles_scopes()
    {
        // Someone with their own workspace joins the demo store as an admin.
        var email = $"two-hats-{Guid.NewGuid():N}@shop.example";
        const string password = "two-hats-password";
        using var person = new AuthServerBrowser(platform.Endpoint("authserver"));
        await person.SignUpVerifiedAsync(platform, email, password, "Second Hat");
        var ownWorkspace = AuthServerSteps.JwtPart(person.SessionJwt!, 1).GetProperty("org").GetString()!;

        using var owner = new AuthServerBrowser(platform.Endpoint("authserver"));
        await owner.SignInAsync(AuthServerSteps.OwnerEmail, AuthServerSteps.OwnerPassword);
        var link = await owner.InviteAsync(platform, email, WorkspaceRoles.Admin);
        Assert.Equal(HttpStatusCode.OK, (await person.AcceptInvitationAsync(link)).Status);

        using var http = platform.CreateClient("authserver");
        var oauth = new OAuthTestClient(http);
        var clientId = await oauth.RegisterPublicClientAsync(scope: "read:orders manage:team");
        var pkce = OAuthTestClient.NewPkce();
        var consent = await person.GetAsync(oauth.AuthorizeUrl(clientId, pkce, "read:orders manage:team").PathAndQuery);
        var picker = consent.Document!.QuerySelector("select[name=workspace]")!;
        var offered = picker.QuerySelectorAll("option").Select(o => o.GetAttribute("value")).ToArray();
        Assert.Contains(DemoWorkspace.Id.ToString(), offered);
        Assert.Contains(ownWorkspace, offered);
        Assert.Equal(2, offered.Length);

        var end = await consent.SubmitAsync(person, consent.Form("decision"), new() { ["decision"] = "allow", ["workspace"] = DemoWorkspace.Id.ToString() });
        var tokens = await oauth.RedeemCodeAsync(clientId, AuthServerSteps.Query(end.Url)["code"], pkce);
        // An admin of the demo store may not manage its team: only read:orders is granted there.
        Assert.Equal("read:orders", tokens.GetProperty("scope").GetString());
        var introspection = await AuthServerSteps.IntrospectAsync(platform, tokens.GetProperty("access_token").GetString()!);
        Assert.Equal(DemoWorkspace.Id.ToString(), introspection.GetProperty("org").GetString());

        // A workspace the person is not in is refused.
        var again = await person.GetAsync(oauth.AuthorizeUrl(clientId, OAuthTestClient.NewPkce(), "read:orders").PathAndQuery + "&prompt=consent");
        var foreign = await again.SubmitAsync(person, again.Form("decision"), new() { ["decision"] = "allow", ["workspace"] = Guid.NewGuid().ToString() });
        Assert.Equal(HttpStatusCode.BadRequest, foreign.Status);
    }

    [Fact]
    public async Task A_restart_of_the_auth_server_loses_no_token_or_consent()
    {
        var (clientId, pkce, code) = await AuthServerSteps.AuthorizeAsync(platform);
        var (_, tokens) = await AuthServerSteps.TokenAsync(platform, OAuthTestClient.CodeRedemption(clientId, code, pkce.Verifier));
        var accessToken = tokens.GetProperty("access_token").GetString()!;

        await platform.RestartAsync("authserver");

        await Eventually.SucceedsAsync(async () =>
            Assert.True(AuthServerSteps.IsActive(await AuthServerSteps.IntrospectAsync(platform, accessToken))));
        using var http = platform.CreateClient("authserver");
        var (status, refreshed) = await new OAuthTestClient(http).RefreshAsync(clientId, tokens.GetProperty("refresh_token").GetString()!);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.True(AuthServerSteps.IsActive(await AuthServerSteps.IntrospectAsync(platform, refreshed.GetProperty("access_token").GetString()!)));
    }
}
