using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using AlyAspire.Shared.Credentials;
using AlyAspire.Shared.Scopes;
using AlyAspire.Tests.Infrastructure;
using AlyAspire.Tests.StorefrontApi;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;

namespace AlyAspire.Tests.Foundation;

/// <summary>The platform's own Aspire dashboard commands, executed through the test host as the dashboard executes them.</summary>
[Collection(PlatformCollection.Name)]
public sealed partial class DashboardCommandTests(PlatformFixture platform)
{
    [Fact]
    public async Task Create_demo_api_key_prints_its_secret_once_to_the_console_and_only_its_display_form_in_the_result()
    {
        var authServerId = await ResourceIdAsync("authserver");
        var result = await platform.App.ResourceCommands.ExecuteCommandAsync(authServerId, "create-demo-api-key");
        Assert.True(result.Success, result.Message);
        Assert.DoesNotContain("aly_", DisplayFormPattern().Replace(result.Message ?? "", ""));

        // The secret is in the AuthServer's console log, once; the result names it by its display form.
        var secrets = new List<string>();
        await Eventually.SucceedsAsync(async () =>
        {
            secrets.Clear();
            await foreach (var batch in platform.App.Services.GetRequiredService<ResourceLoggerService>().GetAllAsync(authServerId))
            {
                secrets.AddRange(batch.SelectMany(line => SecretPattern().Matches(line.Content)).Select(m => m.Groups["secret"].Value));
            }

            Assert.Contains(secrets, s => result.Message!.Contains(CredentialFormats.DisplayForm(s), StringComparison.Ordinal));
        }, TimeSpan.FromSeconds(30));
        var secret = secrets.Single(s => result.Message!.Contains(CredentialFormats.DisplayForm(s), StringComparison.Ordinal));

        // The key works (a 503 + Retry-After on a loaded machine's first verification is retried, as an agent would).
        using var storefront = platform.Storefront(secret);
        await Eventually.SucceedsAsync(async () =>
            Assert.Equal(HttpStatusCode.OK, (await storefront.GetAsync(StorefrontAgents.MerchantPath + "/orders")).StatusCode), TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task Reset_demo_store_data_asks_for_confirmation_and_puts_the_seed_back()
    {
        var replica = (await platform.RunningAsync())[0];
        var command = Assert.Single((await SnapshotAsync(replica.ResourceId)).Commands, c => c.Name == "reset-demo-store");
        Assert.False(string.IsNullOrWhiteSpace(command.ConfirmationMessage));

        var writer = await platform.ApiKeyAsync(StorefrontAgents.DemoStore, [ScopeCatalogue.ReadContent, ScopeCatalogue.WriteContent]);
        using var storefront = platform.Storefront(writer);
        var title = $"Added after the seed {Guid.NewGuid():N}";
        using var created = await storefront.PostAsJsonAsync(StorefrontAgents.MerchantPath + "/products", new { title, price = 12.5m });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(1, await ProductCountAsync(storefront, title));

        var result = await platform.App.ResourceCommands.ExecuteCommandAsync(replica.ResourceId, "reset-demo-store");
        Assert.True(result.Success, result.Message);

        Assert.Equal(0, await ProductCountAsync(storefront, title));
        Assert.True(await ProductCountAsync(storefront, null) > 0, "The seed's products are back.");
    }

    [Fact]
    public async Task Open_smtp4dev_shows_a_link_to_the_mailbox_that_holds_the_platforms_mail()
    {
        var authServerId = await ResourceIdAsync("authserver");
        var mailbox = platform.Endpoint("smtp4dev");

        var result = await platform.App.ResourceCommands.ExecuteCommandAsync(authServerId, "open-smtp4dev");

        Assert.True(result.Success, result.Message);
        Assert.Contains(mailbox.ToString(), result.Message, StringComparison.Ordinal);
        Assert.NotNull(result.Data);
        Assert.Equal(CommandResultFormat.Markdown, result.Data.Format);
        Assert.True(result.Data.DisplayImmediately);
        Assert.Contains($"]({mailbox})", result.Data.Value, StringComparison.Ordinal);
        // The link is smtp4dev's web UI, answering.
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        using var page = await http.GetAsync(mailbox);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
    }

    private static async Task<int> ProductCountAsync(HttpClient storefront, string? search)
    {
        var query = search is null ? "" : $"?search={Uri.EscapeDataString(search)}";
        var page = await storefront.GetFromJsonAsync<JsonElement>(StorefrontAgents.MerchantPath + "/products" + query);
        return page.GetProperty("total").GetInt32();
    }

    private async Task<string> ResourceIdAsync(string name)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var running = await platform.App.ResourceNotifications.WaitForResourceAsync(name, e => e.Snapshot.State?.Text == KnownResourceStates.Running, cts.Token);
        return running.ResourceId;
    }

    private async Task<CustomResourceSnapshot> SnapshotAsync(string resourceId)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await foreach (var notification in platform.App.ResourceNotifications.WatchAsync(cts.Token))
        {
            if (notification.ResourceId == resourceId && notification.Snapshot.Commands.Any(c => c.Name == "reset-demo-store"))
            {
                return notification.Snapshot;
            }
        }

        throw new InvalidOperationException($"No snapshot of {resourceId} with its commands.");
    }

    [GeneratedRegex(@"shown this once: (?<secret>aly_[A-Za-z0-9_]+)")]
    private static partial Regex SecretPattern();

    [GeneratedRegex(@"aly_[A-Za-z0-9]{4}…[A-Za-z0-9]{4}")]
    private static partial Regex DisplayFormPattern();
}
