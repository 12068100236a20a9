using System.Net;
using System.Net.Http.Json;
using AlyAspire.Shared.ApiKeys;
using AlyAspire.Shared.Audit;
using AlyAspire.Shared.Scopes;
using AlyAspire.Tests.Infrastructure;
using AlyAspire.Tests.StorefrontApi;

namespace AlyAspire.Tests.EndToEnd;

/// <summary>The workspace's one audit log: written by the dashboard and the KeyService, read on a page, as CSV and by agents.</summary>
[Collection(PlatformCollection.Name)]
public sealed class AuditTrailTests(PlatformFixture platform)
{
    [Fact]
    public async Task The_audit_page_the_csv_export_and_the_agent_endpoint_list_this_tests_key_events_in_order_without_secrets()
    {
        await platform.RaiseLimitsAsync(StorefrontAgents.DemoStore);
        await using var person = await BrowserPerson.StartAsync(platform);
        await person.OpenAsync("/settings/api-keys");
        var name = $"audit {Guid.NewGuid():N}"[..20];
        await person.Page.FillAsync("input[name=name]", name);
        await person.Page.CheckAsync("input[name=scopes][value='read:orders']");
        await person.Page.Locator("form:has(input[name=name]) [type=submit]").ClickAsync();
        var secret = await person.Page.InputValueAsync("#new-secret");
        await person.Page.Locator($"tr:has-text('{name}') form[action*='handler=Roll'] [type=submit]").First.ClickAsync();
        await person.Page.WaitForLoadStateAsync();
        var rolledSecret = await person.Page.InputValueAsync("#new-secret");
        await person.Page.Locator($"tr:has-text('{name}') form[action*='handler=Revoke'] [type=submit]").ClickAsync();
        await person.Page.WaitForLoadStateAsync();

        var keys = await platform.ApiKeyClientAsync();
        var key = Assert.Single(await keys.ListAsync(StorefrontAgents.DemoStore, TestActors.Owner(StorefrontAgents.DemoStore)), k => k.Name == name);
        var target = $"key:{key.Id}";

        // The agent's view: GET /merchant/audit-events (manage:workspace), newest first, filtered to key events.
        var reader = await TestCredentials.CreateApiKeyAsync(platform, StorefrontAgents.DemoStore, [ScopeCatalogue.ManageWorkspace]);
        using var storefront = platform.Storefront(reader);
        AuditEventView[] mine = [];
        await Eventually.SucceedsAsync(async () =>
        {
            var page = await storefront.GetFromJsonAsync<AuditEventPage>($"{StorefrontAgents.MerchantPath}/audit-events?kind=key&pageSize=200");
            mine = page!.Items.Where(e => e.Target == target).ToArray();
            Assert.Equal([AuditKinds.KeyRevoked, AuditKinds.KeyRolled, AuditKinds.KeyCreated], mine.Select(e => e.Kind).ToArray());
        }, TimeSpan.FromSeconds(30));
        Assert.All(mine, e =>
        {
            Assert.Equal(AuditActorKinds.Person, e.ActorKind);
            Assert.Equal(key.CreatedBy, e.ActorId);
            Assert.Equal(AuditOutcomes.Succeeded, e.Outcome);
            Assert.False(string.IsNullOrEmpty(e.ClientAddress));
        });
        Assert.True(mine[0].OccurredAt >= mine[1].OccurredAt && mine[1].OccurredAt >= mine[2].OccurredAt);
        using (var signIns = await storefront.GetAsync($"{StorefrontAgents.MerchantPath}/audit-events?kind=signin"))
        {
            var page = await signIns.Content.ReadFromJsonAsync<AuditEventPage>();
            Assert.Contains(page!.Items, e => e.Kind == AuditKinds.SignInSucceeded && e.ActorId == key.CreatedBy);
        }

        using (var badFilter = await storefront.GetAsync($"{StorefrontAgents.MerchantPath}/audit-events?pageSize=100000"))
        {
            Assert.Equal(HttpStatusCode.BadRequest, badFilter.StatusCode);
        }

        // Without manage:workspace, no log.
        using var outsider = platform.Storefront(await TestCredentials.CreateApiKeyAsync(platform, StorefrontAgents.DemoStore, [ScopeCatalogue.ReadOrders]));
        Assert.Equal(HttpStatusCode.Forbidden, (await outsider.GetAsync($"{StorefrontAgents.MerchantPath}/audit-events")).StatusCode);

        // The page: the same three events, newest first, and a CSV export of the filter.
        await person.OpenAsync("/audit?kind=key");
        await person.Page.ScreenshotAsync(new() { Path = Path.Combine(RepositoryPaths.Artifacts, "audit-log.png"), FullPage = true });
        var rows = await person.Page.Locator($"#audit-events tbody tr:has-text('{target}')").AllAsync();
        var kinds = new List<string>();
        foreach (var row in rows)
        {
            kinds.Add((await row.GetAttributeAsync("data-kind"))!);
        }

        Assert.Equal([AuditKinds.KeyRevoked, AuditKinds.KeyRolled, AuditKinds.KeyCreated], kinds);
        var content = await person.Page.ContentAsync();
        Assert.DoesNotContain(secret, content);
        Assert.DoesNotContain(rolledSecret, content);

        var csvUrl = await person.Page.Locator("#audit-csv").GetAttributeAsync("href");
        var csv = await person.Page.Context.APIRequest.GetAsync(new Uri(person.AuthServer, csvUrl).ToString());
        Assert.Equal(200, csv.Status);
        Assert.StartsWith("text/csv", csv.Headers["content-type"]);
        var lines = (await csv.TextAsync()).Split("\r\n").Where(l => l.Contains(target, StringComparison.Ordinal)).ToArray();
        Assert.Equal(3, lines.Length);
        Assert.Contains(AuditKinds.KeyRevoked, lines[0]);
        Assert.Contains(AuditKinds.KeyCreated, lines[2]);
        Assert.DoesNotContain(lines, l => l.Contains(secret, StringComparison.Ordinal) || l.Contains(rolledSecret, StringComparison.Ordinal));
    }
}
