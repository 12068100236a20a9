using System.Net;
using System.Net.Http.Json;
using System.Security.Claims;
using System.Text.Json;
using AlyAspire.Shared.Internal;
using AlyAspire.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AlyAspire.Tests.Foundation;

/// <summary>
/// One secret per calling pair: each service accepts its own callers' secrets and refuses every other service's,
/// and the OAuth introspection client's secret is its own too.
/// </summary>
[Collection(PlatformCollection.Name)]
public sealed class ServiceCredentialTests(PlatformFixture platform)
{
    /// <summary>Every secret a service could present: the per-pair ones and the introspection client's.</summary>
    private static readonly string[] AllPairs = ["authserver-to-keyservice-key", "storefrontapi-to-keyservice-key", "storefrontapi-to-ratelimiter-key", "introspection-client-secret"];

    [Theory]
    [InlineData("keyservice", "/internal/workspaces/0196f3a0-0000-7000-8000-000000000001/keys", new[] { "authserver-to-keyservice-key", "storefrontapi-to-keyservice-key" })]
    [InlineData("ratelimiter", "/internal/workspaces/ws_credentials/limits", new[] { "storefrontapi-to-ratelimiter-key" })]
    public async Task A_service_accepts_its_own_callers_secrets_and_refuses_every_other_services(string service, string path, string[] accepted)
    {
        foreach (var secretName in AllPairs)
        {
            using var http = platform.CreateClient(service);
            http.DefaultRequestHeaders.Add(InternalServiceAuthentication.HeaderName, await platform.GetSecretAsync(secretName));
            using var response = await http.GetAsync(path);
            if (accepted.Contains(secretName))
            {
                Assert.True(response.StatusCode is not (HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden),
                    $"{service} refused {secretName}: {(int)response.StatusCode}");
            }
            else
            {
                Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            }
        }

        using var anonymous = platform.CreateClient(service);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync(path)).StatusCode);
    }

    [Fact]
    public async Task The_introspection_client_authenticates_with_its_own_secret_and_no_service_credential()
    {
        using var http = platform.CreateClient("authserver");
        foreach (var secretName in AllPairs)
        {
            using var response = await http.PostAsync("/oauth/introspect", new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["token"] = "aly_oauth_not-a-token",
                ["client_id"] = "storefrontapi",
                ["client_secret"] = await platform.GetSecretAsync(secretName),
            }));
            var body = await response.Content.ReadFromJsonAsync<JsonElement>();
            if (secretName == "introspection-client-secret")
            {
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                Assert.False(body.GetProperty("active").GetBoolean());
            }
            else
            {
                Assert.Equal("invalid_client", body.GetProperty("error").GetString());
            }
        }
    }
}

/// <summary>The internal authentication itself, on a host of its own: who a secret names, and what it refuses to start with.</summary>
public sealed class InternalServiceAuthenticationTests
{
    [Fact]
    public async Task The_authenticated_principal_names_its_calling_service_and_unnamed_callers_are_refused()
    {
        var secrets = new Dictionary<string, string>
        {
            ["authserver"] = "authserver-secret-0123456789",
            ["storefrontapi"] = "storefront-secret-0123456789",
            // Configured, but not a caller this service names: refused all the same.
            ["ratelimiter"] = "ratelimiter-secret-0123456789",
        };
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Development", ContentRootPath = AppContext.BaseDirectory });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Configuration.AddInMemoryCollection(secrets.Select(s => new KeyValuePair<string, string?>(InternalServiceAuthentication.CallerKey(s.Key), s.Value)));
        builder.Services.AddInternalServiceAuthentication(PlatformServices.AuthServer, PlatformServices.StorefrontApi);
        await using var app = builder.Build();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapGet("/caller", (ClaimsPrincipal user) => user.FindFirstValue(InternalServiceAuthentication.CallerClaim))
            .RequireAuthorization(InternalServiceAuthentication.Policy);
        await app.StartAsync();

        using var http = new HttpClient { BaseAddress = new Uri(app.Urls.First()) };
        async Task<HttpResponseMessage> AsAsync(string secret)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/caller");
            request.Headers.Add(InternalServiceAuthentication.HeaderName, secret);
            return await http.SendAsync(request);
        }

        Assert.Equal("authserver", await (await AsAsync(secrets["authserver"])).Content.ReadAsStringAsync());
        Assert.Equal("storefrontapi", await (await AsAsync(secrets["storefrontapi"])).Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Unauthorized, (await AsAsync(secrets["ratelimiter"])).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await AsAsync("not-a-secret-of-anyone-at-all")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync("/caller")).StatusCode);
        await app.StopAsync();
    }

    [Fact]
    public void A_service_refuses_to_start_when_two_callers_share_a_secret_or_one_has_none()
    {
        static void Validate(Dictionary<string, string?> configuration)
        {
            var services = new ServiceCollection();
            services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(configuration).Build());
            services.AddInternalServiceAuthentication(PlatformServices.AuthServer, PlatformServices.StorefrontApi);
            using var provider = services.BuildServiceProvider();
            _ = provider.GetRequiredService<IOptions<InternalCallerOptions>>().Value;
        }

        Assert.Throws<OptionsValidationException>(() => Validate(new()
        {
            [InternalServiceAuthentication.CallerKey("authserver")] = "the-same-secret-0123456789",
            [InternalServiceAuthentication.CallerKey("storefrontapi")] = "the-same-secret-0123456789",
        }));
        Assert.Throws<OptionsValidationException>(() => Validate(new()
        {
            [InternalServiceAuthentication.CallerKey("authserver")] = "authserver-secret-0123456789",
        }));
        Validate(new()
        {
            [InternalServiceAuthentication.CallerKey("authserver")] = "authserver-secret-0123456789",
            [InternalServiceAuthentication.CallerKey("storefrontapi")] = "storefront-secret-0123456789",
        });
    }
}
