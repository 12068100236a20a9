using System.Security.Claims;
using System.Text.Encodings.Web;
using AlyAspire.RateLimiter.Client.PreAuth;
using AlyAspire.Shared.Credentials;
using AlyAspire.Shared.Http;
using AlyAspire.Shared.Internal;
using AlyAspire.Tests.Infrastructure;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AlyAspire.Tests.RateLimiter;

/// <summary>
/// A minimal agent surface wired exactly as StorefrontApi wires RateLimiter.Client (pre-auth layer before
/// authentication, workspace limit on the agent group), talking to the real RateLimiter of the test stack.
/// Its bearer check stands in for StorefrontApi's gate: <c>Bearer test:&lt;workspace&gt;:&lt;credential&gt;</c> is
/// valid, anything else fails and is charged through <see cref="IPreAuthPenalty"/>. Several hosts play several
/// StorefrontApi instances, each with its own connection to the RateLimiter.
/// </summary>
public sealed class AgentSurfaceHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private AgentSurfaceHost(WebApplication app, VerificationCounter verifications)
    {
        _app = app;
        Verifications = verifications;
        Client = new HttpClient { BaseAddress = new Uri(app.Urls.First()), Timeout = TimeSpan.FromSeconds(60) };
    }

    public HttpClient Client { get; }

    /// <summary>How many bearer verifications reached the (stand-in) verifier.</summary>
    public VerificationCounter Verifications { get; }

    public IServiceProvider Services => _app.Services;

    public static string Bearer(string workspaceId, string credentialId) => $"test:{workspaceId}:{credentialId}";

    public static async Task<AgentSurfaceHost> StartAsync(PlatformFixture platform, IReadOnlyDictionary<string, string?>? settings = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            ApplicationName = typeof(AgentSurfaceHost).Assembly.GetName().Name,
            EnvironmentName = Environments.Development,
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["services:ratelimiter:grpc:0"] = platform.App.GetEndpoint("ratelimiter", "grpc").ToString(),
            [InternalServiceAuthentication.CredentialKey(PlatformServices.RateLimiter)] = await platform.ServiceSecretAsync(PlatformServices.StorefrontApi, PlatformServices.RateLimiter),
            // This machine is shared and noisy: a generous deadline keeps decisions from timing out by accident.
            ["RateLimits:DecisionTimeout"] = "00:00:05",
            ["RateLimits:RemoteRetryInterval"] = "00:00:01",
            ["ForwardedHeaders:TrustedProxies:0"] = "127.0.0.1",
        });
        if (settings is not null)
        {
            builder.Configuration.AddInMemoryCollection(settings);
        }

        builder.AddServiceDefaults();
        builder.AddAgentRateLimiting();
        builder.Services.AddTrustedForwardedHeaders();
        var verifications = new VerificationCounter();
        builder.Services.AddSingleton(verifications);
        builder.Services.AddAuthentication(TestBearerHandler.Name)
            .AddScheme<AuthenticationSchemeOptions, TestBearerHandler>(TestBearerHandler.Name, null);
        builder.Services.AddAuthorization();

        var app = builder.Build();
        app.UseTrustedForwardedHeaders();
        app.UsePreAuthRateLimiting();
        app.UseAuthentication();
        app.UseAuthorization();

        var agent = app.MapGroup("/agent").RequireAuthorization().RequireWorkspaceRateLimit();
        agent.MapGet("/probe", () => TypedResults.Ok(new { ok = true }));
        // A plain RequestDelegate endpoint, like the MCP endpoint: limited through the same convention.
        agent.MapPost("/rpc", (RequestDelegate)(context => context.Response.WriteAsync("ok")));
        app.MapGet("/anonymous", () => TypedResults.Ok());

        await app.StartAsync();
        return new AgentSurfaceHost(app, verifications);
    }

    public Task<HttpResponseMessage> GetAsync(string bearer, string path = "/agent/probe", string? forwardedFor = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + bearer);
        if (forwardedFor is not null)
        {
            request.Headers.TryAddWithoutValidation("X-Forwarded-For", forwardedFor);
        }

        return Client.SendAsync(request);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    public sealed class VerificationCounter
    {
        private int _count;

        public int Count => Volatile.Read(ref _count);

        public void Increment() => Interlocked.Increment(ref _count);
    }

    private sealed class TestBearerHandler(
        IOptionsMonitor<AuthenticationSchemeOptions> options,
        ILoggerFactory logger,
        UrlEncoder encoder,
        IPreAuthPenalty penalty,
        VerificationCounter verifications)
        : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
    {
        public const string Name = "TestBearer";

        protected override Task<AuthenticateResult> HandleAuthenticateAsync()
        {
            var header = Request.Headers.Authorization.ToString();
            if (!header.StartsWith("Bearer ", StringComparison.Ordinal))
            {
                return Task.FromResult(AuthenticateResult.NoResult());
            }

            verifications.Increment();
            var parts = header["Bearer ".Length..].Split(':');
            if (parts is not ["test", { Length: > 0 } workspace, { Length: > 0 } credential])
            {
                penalty.ChargeFailedVerification(Context);
                return Task.FromResult(AuthenticateResult.Fail("The credential is not valid."));
            }

            var identity = new ClaimsIdentity(
                [new Claim(AgentClaimTypes.WorkspaceId, workspace), new Claim(AgentClaimTypes.CredentialId, credential)], Name);
            return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), Name)));
        }
    }
}
