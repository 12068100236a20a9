using System.Diagnostics;
using System.Text.Json;
using AlyAspire.AppHost.Hosting;
using AlyAspire.Tests.Infrastructure;

namespace AlyAspire.Tests.Foundation;

/// <summary>
/// The deployment manifest (`dotnet run --project AppHost -- --publisher manifest`), which azd turns into Azure
/// Container Apps: every service, every reference and every secret parameter, and no secret value.
/// </summary>
public sealed class ManifestTests
{
    private static readonly string[] Services = ["authserver", "keyservice", "ratelimiter", "storefrontapi", "sampleagent"];
    private static readonly string[] Databases = ["authdb", "keysdb", "storedb", "limitsdb"];

    /// <summary>Who calls whom: each pair has its own secret, and no service gets a secret it does not use.</summary>
    private static readonly (string Caller, string Callee)[] ServicePairs =
        [("authserver", "keyservice"), ("storefrontapi", "keyservice"), ("storefrontapi", "ratelimiter"), ("storefrontapi", "authserver"), ("keyservice", "authserver"), ("authserver", "ratelimiter")];

    private static readonly string[] SecretParameters =
    [
        "postgres-password", "redis-password", "api-key-hash-secret", "session-signing-key", "key-encryption-key", "introspection-client-secret",
        "keyservice-introspection-secret", "actor-assertion-key",
        .. ServicePairs.Select(pair => ServiceCredentialExtensions.Name(pair.Caller, pair.Callee)),
    ];

    private static readonly string[] MailParameters = ["smtp-host", "smtp-port", "smtp-username", "smtp-password", "mail-from"];

    [Fact]
    public async Task Manifest_carries_every_service_reference_and_secret_parameter_but_no_secret_value()
    {
        var output = Path.Combine(Path.GetTempPath(), $"alyaspire-manifest-{Guid.NewGuid():N}.json");
        try
        {
            var (exitCode, log) = await RunAppHostAsync("--publisher", "manifest", "--output-path", output);
            Assert.True(exitCode == 0, log);
            var text = await File.ReadAllTextAsync(output);
            using var manifest = JsonDocument.Parse(text);
            var resources = manifest.RootElement.GetProperty("resources");

            Assert.Equal("container.v0", resources.GetProperty("postgres").GetProperty("type").GetString());
            Assert.Equal("container.v0", resources.GetProperty("redis").GetProperty("type").GetString());
            foreach (var database in Databases)
            {
                Assert.Equal("{postgres.connectionString};Database=" + database,
                    resources.GetProperty(database).GetProperty("connectionString").GetString());
            }

            foreach (var service in Services)
            {
                Assert.Equal("project.v0", resources.GetProperty(service).GetProperty("type").GetString());
            }

            foreach (var parameter in SecretParameters)
            {
                var value = resources.GetProperty(parameter).GetProperty("inputs").GetProperty("value");
                Assert.True(value.GetProperty("secret").GetBoolean(), $"{parameter} must be a secret input");
                Assert.True(value.TryGetProperty("default", out var @default) && @default.TryGetProperty("generate", out _),
                    $"{parameter} must be generated at deployment, not written into the manifest");
            }

            var env = (string service) => resources.GetProperty(service).GetProperty("env");

            // Mail: the SMTP relay is the deployment's to name (parameters, the password a secret); smtp4dev is for runs only.
            Assert.False(resources.TryGetProperty("smtp4dev", out _), "smtp4dev must not be deployed");
            foreach (var parameter in MailParameters)
            {
                Assert.Equal("parameter.v0", resources.GetProperty(parameter).GetProperty("type").GetString());
            }

            Assert.True(resources.GetProperty("smtp-password").GetProperty("inputs").GetProperty("value").GetProperty("secret").GetBoolean());
            Assert.Equal("{smtp-host.value}", env("authserver").GetProperty("Email__SmtpHost").GetString());
            Assert.Equal("{smtp-port.value}", env("authserver").GetProperty("Email__SmtpPort").GetString());
            Assert.Equal("{smtp-username.value}", env("authserver").GetProperty("Email__SmtpUsername").GetString());
            Assert.Equal("{smtp-password.value}", env("authserver").GetProperty("Email__SmtpPassword").GetString());
            Assert.Equal("{authserver-public-url.value}", env("authserver").GetProperty("Accounts__PublicBaseUrl").GetString());
            Assert.Equal("{keysdb.connectionString}", env("keyservice").GetProperty("ConnectionStrings__keysdb").GetString());
            Assert.Equal("{redis.connectionString}", env("keyservice").GetProperty("ConnectionStrings__redis").GetString());
            Assert.Equal("{api-key-hash-secret.value}", env("keyservice").GetProperty("ApiKeys__HashSecret").GetString());
            Assert.Equal("{authdb.connectionString}", env("authserver").GetProperty("ConnectionStrings__authdb").GetString());
            Assert.Equal("{session-signing-key.value}", env("authserver").GetProperty("Session__SigningKey").GetString());
            Assert.Equal("{limitsdb.connectionString}", env("ratelimiter").GetProperty("ConnectionStrings__limitsdb").GetString());
            Assert.Equal("{storedb.connectionString}", env("storefrontapi").GetProperty("ConnectionStrings__storedb").GetString());
            foreach (var dependency in new[] { "keyservice", "ratelimiter", "authserver" })
            {
                Assert.Equal($"{{{dependency}.bindings.http.url}}", env("storefrontapi").GetProperty($"services__{dependency}__http__0").GetString());
            }

            Assert.Equal("{key-encryption-key.value}", env("authserver").GetProperty("KeyEncryption__Key").GetString());
            Assert.Equal("{introspection-client-secret.value}", env("storefrontapi").GetProperty("Introspection__ClientSecret").GetString());
            Assert.Equal("{introspection-client-secret.value}", env("authserver").GetProperty("OAuth__ResourceServerSecrets__storefrontapi").GetString());
            foreach (var (caller, callee) in ServicePairs)
            {
                var secret = $"{{{ServiceCredentialExtensions.Name(caller, callee)}.value}}";
                Assert.Equal(secret, env(caller).GetProperty($"Internal__Credentials__{callee}").GetString());
                Assert.Equal(secret, env(callee).GetProperty($"Internal__Callers__{caller}").GetString());
            }

            // Exactly those: no service carries a credential for a pair that is not listed, and none the old shared key.
            foreach (var service in Services)
            {
                var names = env(service).EnumerateObject().Select(p => p.Name).ToList();
                Assert.DoesNotContain("Internal__ServiceKey", names);
                Assert.Equal(
                    ServicePairs.Where(p => p.Caller == service).Select(p => $"Internal__Credentials__{p.Callee}")
                        .Concat(ServicePairs.Where(p => p.Callee == service).Select(p => $"Internal__Callers__{p.Caller}")).Order(),
                    names.Where(n => n.StartsWith("Internal__", StringComparison.Ordinal)).Order());
            }

            // Behind the ingress (README): the public URLs and hosts and the ingress's network are deployment inputs.
            Assert.Equal("{authserver-public-url.value}", env("authserver").GetProperty("OAuth__Issuer").GetString());
            Assert.Equal("{storefront-public-url.value}", env("authserver").GetProperty("ResourceServers__StorefrontApi").GetString());
            Assert.Equal("{storefront-public-url.value}", env("storefrontapi").GetProperty("Storefront__PublicBaseUrl").GetString());
            Assert.Equal("{authserver-public-url.value}", env("storefrontapi").GetProperty("Storefront__AuthorizationServer").GetString());
            Assert.Equal("{authserver-public-host.value};authserver", env("authserver").GetProperty("AllowedHosts").GetString());
            Assert.Equal("{storefront-public-host.value};storefrontapi", env("storefrontapi").GetProperty("AllowedHosts").GetString());
            Assert.Equal("keyservice", env("keyservice").GetProperty("AllowedHosts").GetString());
            foreach (var service in new[] { "authserver", "storefrontapi" })
            {
                Assert.Equal("{ingress-network.value}", env(service).GetProperty("ForwardedHeaders__TrustedProxies__0").GetString());
            }

            // No secret value: nothing but placeholders where secrets go, and none of the local run's secrets.
            Assert.DoesNotContain("Password=", text.Replace("Password={postgres-password.value}", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);
            var localSecrets = Path.Combine(RepositoryPaths.Root, ".aly", "secrets");
            if (Directory.Exists(localSecrets))
            {
                foreach (var file in Directory.GetFiles(localSecrets))
                {
                    Assert.DoesNotContain((await File.ReadAllTextAsync(file)).Trim(), text, StringComparison.Ordinal);
                }
            }
        }
        finally
        {
            File.Delete(output);
        }
    }

    private static async Task<(int ExitCode, string Log)> RunAppHostAsync(params string[] arguments)
    {
        var startInfo = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = RepositoryPaths.Root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        // The AppHost was built with the tests (project reference): run it as the README does, without rebuilding.
        foreach (var argument in new[] { "run", "--project", "AppHost", "--no-build", "--" }.Concat(arguments))
        {
            startInfo.ArgumentList.Add(argument);
        }

        using var process = Process.Start(startInfo)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }
}
