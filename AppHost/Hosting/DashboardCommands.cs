using AlyAspire.Shared.ApiKeys;
using AlyAspire.Shared.Credentials;
using AlyAspire.Shared.Development;
using AlyAspire.Shared.Internal;
using AlyAspire.Shared.Scopes;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Polly;

namespace AlyAspire.AppHost.Hosting;

/// <summary>
/// The platform's own commands in the Aspire dashboard, so a developer gets a demo key or a clean demo store without
/// clicking through the sign-in. They call the services' internal APIs with a credential each (the AuthServer's for
/// the KeyService, a run-mode-only one for the StorefrontApi's Development operations); their results show as the
/// dashboard's notification.
/// </summary>
public static class DashboardCommands
{
    public const string CreateDemoApiKey = "create-demo-api-key";
    public const string ResetDemoStore = "reset-demo-store";
    public const string OpenMailbox = "open-smtp4dev";

    /// <summary>The path of the StorefrontApi's Development-only reset (its DevelopmentApi).</summary>
    private const string ResetDemoStorePath = "/internal/development/reset-demo-store";

    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(30);

    /// <summary>
    /// "Create demo API key" on the AuthServer: a key of the demo workspace with a member's scopes. Its secret is
    /// written once into the AuthServer's console log (the resource's log, not its telemetry); the notification shows
    /// only its display form.
    /// </summary>
    /// <remarks>
    /// The command speaks for the AuthServer (its credential for the KeyService) and signs the actor assertion the
    /// KeyService requires as the AuthServer would for an owner; the actor's id is the empty id, so the key's audit
    /// trail shows it was not made by a member.
    /// </remarks>
    public static IResourceBuilder<ProjectResource> WithCreateDemoApiKeyCommand(
        this IResourceBuilder<ProjectResource> authServer, IResourceBuilder<ProjectResource> keyService,
        IResourceBuilder<ParameterResource> keyServiceCredential, IResourceBuilder<ParameterResource> actorAssertionKey) =>
        authServer.WithCommand(CreateDemoApiKey, "Create demo API key", async context =>
        {
            try
            {
                using var http = await ServiceClientAsync(keyService, keyServiceCredential, context.CancellationToken);
                var assertions = new ActorAssertions(
                    Options.Create(new ActorAssertionOptions { SigningKey = (await actorAssertionKey.Resource.GetValueAsync(context.CancellationToken))! }),
                    TimeProvider.System);
                var created = await new ApiKeyClient(http).CreateAsync(
                    DemoWorkspace.Id,
                    new CreateApiKeyRequest($"Demo key {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm:ss}", WorkspaceRoles.ScopesFor(WorkspaceRoles.Member), null),
                    ApiKeyActor.Person(assertions.Issue(Guid.Empty, DemoWorkspace.Id, WorkspaceRoles.Owner, null)),
                    context.CancellationToken);
                var display = CredentialFormats.DisplayForm(created.Secret);
#pragma warning disable CA1848, CA2254 // a one-off line for a person reading the console, by design the only place the secret appears
                context.Logger.LogWarning("Demo API key {KeyId} created for {Workspace} (scopes {Scopes}). Its secret, shown this once: {Secret}",
                    created.Key.Id, DemoWorkspace.Name, string.Join(' ', created.Key.Scopes), created.Secret);
#pragma warning restore CA1848, CA2254
                return CommandResults.Success($"Created demo API key {display} ({created.Key.Id}) in {DemoWorkspace.Name}; its secret is in this resource's console log, once.");
            }
            catch (Exception ex) when (ex is HttpRequestException or ApiKeyServiceException or TaskCanceledException)
            {
                return CommandResults.Failure($"The demo API key could not be created: {ex.Message}");
            }
        }, new CommandOptions
        {
            Description = "Creates an API key in the demo workspace and prints its secret once into this resource's console log.",
            IconName = "Key",
            UpdateState = RunningOnly,
        });

    /// <summary>"Reset demo store data" on the StorefrontApi: back to the seed, after a confirmation (the service refuses outside Development).</summary>
    public static IResourceBuilder<ProjectResource> WithResetDemoStoreCommand(
        this IResourceBuilder<ProjectResource> storefrontApi, IResourceBuilder<ParameterResource> dashboardCredential) =>
        storefrontApi.WithCommand(ResetDemoStore, "Reset demo store data", async context =>
        {
            try
            {
                using var http = await ServiceClientAsync(storefrontApi, dashboardCredential, context.CancellationToken);
                using var response = await http.PostAsync(ResetDemoStorePath, null, context.CancellationToken);
                if (response.StatusCode == HttpStatusCode.NotFound)
                {
                    return CommandResults.Failure("The StorefrontApi resets its demo data in the Development environment only.");
                }

                response.EnsureSuccessStatusCode();
                context.Logger.LogInformation("The demo workspaces' store data was reset to the seed.");
                return CommandResults.Success($"{DemoWorkspace.Name} and {DemoWorkspace.OtherName} are back to their seeded data.");
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                return CommandResults.Failure($"The demo store could not be reset: {ex.Message}");
            }
        }, new CommandOptions
        {
            Description = "Deletes the demo workspaces' store data and seeds it again (Development only).",
            ConfirmationMessage = "Reset the demo stores? Every product, order and customer added to them since the seed is deleted.",
            IconName = "ArrowReset",
            UpdateState = RunningOnly,
        });

    /// <summary>
    /// "Open smtp4dev" on the AuthServer, where its mail goes to smtp4dev: the dashboard shows the mailbox's link at once,
    /// with how many messages it holds (which also tells that smtp4dev is answering).
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithOpenMailboxCommand(
        this IResourceBuilder<ProjectResource> authServer, IResourceBuilder<ExecutableResource> smtp4dev) =>
        authServer.WithCommand(OpenMailbox, "Open smtp4dev", async context =>
        {
            var mailbox = new Uri(smtp4dev.GetEndpoint("http").Url);
            try
            {
                using var http = new HttpClient { BaseAddress = mailbox, Timeout = CallTimeout };
                using var page = await http.GetFromJsonAsync<JsonDocument>("/api/messages?pageSize=1", context.CancellationToken);
                var count = page?.RootElement.TryGetProperty("rowCount", out var rows) == true && rows.TryGetInt32(out var n) ? n : (int?)null;
                var held = count is null ? "" : $" It holds {count} message{(count == 1 ? "" : "s")}.";
                return CommandResults.Success($"The mailbox is at {mailbox}.{held}",
                    $"[Open the mailbox (smtp4dev)]({mailbox}): every message the platform sends in this run lands there.{held}",
                    CommandResultFormat.Markdown, displayImmediately: true);
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or JsonException)
            {
                return CommandResults.Failure($"smtp4dev at {mailbox} is not answering: {ex.Message}");
            }
        }, new CommandOptions
        {
            Description = "Shows the link to smtp4dev's web UI, where every message the AuthServer sends in this run arrives.",
            IconName = "Mail",
            UpdateState = RunningOnly,
        });

    private static ResourceCommandState RunningOnly(UpdateCommandStateContext context) =>
        context.ResourceSnapshot.State?.Text == KnownResourceStates.Running ? ResourceCommandState.Enabled : ResourceCommandState.Disabled;

    /// <summary>
    /// A service answers 503 with Retry-After when a store it needs is not answering in time (on a loaded machine, a
    /// cold connection can miss the deadline); a person's click waits that out a few times rather than failing. A 503
    /// means the change did not commit, so repeating a create is safe.
    /// </summary>
    private static readonly ResiliencePipeline<HttpResponseMessage> RetryUnavailable = new ResiliencePipelineBuilder<HttpResponseMessage>()
        .AddRetry(new HttpRetryStrategyOptions
        {
            MaxRetryAttempts = 4,
            BackoffType = DelayBackoffType.Constant,
            Delay = TimeSpan.FromSeconds(1),
            ShouldRetryAfterHeader = true,
            ShouldHandle = args => ValueTask.FromResult(args.Outcome.Result?.StatusCode == HttpStatusCode.ServiceUnavailable),
        })
        .Build();

    private static async Task<HttpClient> ServiceClientAsync(IResourceBuilder<ProjectResource> service, IResourceBuilder<ParameterResource> credential, CancellationToken ct)
    {
        var handler = new ResilienceHandler(RetryUnavailable) { InnerHandler = new SocketsHttpHandler() };
        var http = new HttpClient(handler) { BaseAddress = new Uri(service.GetEndpoint("http").Url), Timeout = CallTimeout };
        http.DefaultRequestHeaders.Add(InternalServiceAuthentication.HeaderName, await credential.Resource.GetValueAsync(ct));
        return http;
    }
}
