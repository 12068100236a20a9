using System.Diagnostics;
using System.Text.Json;
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
    private static readonly string[] SecretParameters = ["postgres-password", "redis-password", "internal-service-key", "api-key-hash-secret", "session-signing-key"];
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
            Assert.Equal("{authserver.bindings.http.url}", env("authserver").GetProperty("Accounts__PublicBaseUrl").GetString());
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

            foreach (var service in Services.Where(s => s != "sampleagent"))
            {
                Assert.Equal("{internal-service-key.value}", env(service).GetProperty("Internal__ServiceKey").GetString());
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
