using System.Net;
using System.Text.RegularExpressions;
using AlyAspire.Tests.Infrastructure;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using StackExchange.Redis;

namespace AlyAspire.Tests.Foundation;

[Collection(PlatformCollection.Name)]
public sealed class StackHealthTests(PlatformFixture platform)
{
    [Theory]
    [InlineData("authserver")]
    [InlineData("keyservice")]
    [InlineData("ratelimiter")]
    [InlineData("storefrontapi")]
    public async Task Every_service_is_healthy_and_reaches_its_database_and_redis(string service)
    {
        using var client = platform.CreateClient(service);
        // /health includes the Aspire integrations' checks: the service's DbContext (PostgreSQL) and Redis.
        var response = await client.GetAsync("/health");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Healthy", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_first_start_on_empty_databases_logs_no_error()
    {
        // The dashboard badges a resource for any error it logged; a clean first start (this stack's databases were
        // empty) has none. Read each service instance's console up to "Application started." (later tests stop
        // PostgreSQL and Redis on purpose, and the services rightly log errors then).
        var logs = platform.App.Services.GetRequiredService<ResourceLoggerService>();
        var instances = new HashSet<string>();
        using (var snapshot = new CancellationTokenSource(TimeSpan.FromSeconds(5)))
        {
            try
            {
                await foreach (var notification in platform.App.ResourceNotifications.WatchAsync(snapshot.Token))
                {
                    if (notification.Resource is ProjectResource && notification.Resource.Name != "sampleagent")
                    {
                        instances.Add(notification.ResourceId);
                    }
                }
            }
            catch (OperationCanceledException)
            {
            }
        }

        Assert.True(instances.Count >= 5, $"Expected every service instance, found {string.Join(", ", instances)}");
        foreach (var instance in instances)
        {
            var startUp = new List<string>();
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await foreach (var batch in logs.WatchAsync(instance).WithCancellation(cts.Token))
            {
                var started = batch.Any(line => line.Content.Contains("Application started.", StringComparison.Ordinal));
                // The console logger colours its level names: compare without the escape sequences.
                startUp.AddRange(batch.TakeWhile(line => !line.Content.Contains("Application started.", StringComparison.Ordinal))
                    .Select(line => Regex.Replace(line.Content, @"\x1B\[[0-9;]*m", string.Empty)));
                if (started)
                {
                    break;
                }
            }

            Assert.NotEmpty(startUp);
            Assert.DoesNotContain(startUp, line => line.Contains("fail: ", StringComparison.Ordinal) || line.Contains("crit: ", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task Test_host_randomises_ports_so_a_running_dev_stack_is_never_hit()
    {
        Assert.NotEqual(5100, platform.Endpoint("authserver").Port);
        Assert.NotEqual(5200, platform.Endpoint("storefrontapi").Port);
        var redis = await platform.ConnectionStringAsync("redis");
        Assert.DoesNotContain(":56379", redis);
        var postgres = new NpgsqlConnectionStringBuilder(await platform.ConnectionStringAsync("keysdb"));
        Assert.NotEqual(55432, postgres.Port);
    }

    [Fact]
    public async Task Redis_requires_its_password()
    {
        var connectionString = await platform.ConnectionStringAsync("redis");
        var withoutPassword = ConfigurationOptions.Parse(connectionString);
        withoutPassword.Password = null;
        withoutPassword.AbortOnConnectFail = false;
        await using var anonymous = await ConnectionMultiplexer.ConnectAsync(withoutPassword);
        await Assert.ThrowsAnyAsync<RedisException>(() => anonymous.GetDatabase().PingAsync());
    }

    [Fact]
    public async Task Postgres_refuses_a_wrong_password()
    {
        var builder = new NpgsqlConnectionStringBuilder(await platform.ConnectionStringAsync("keysdb")) { Password = "wrong-password" };
        await using var connection = new NpgsqlConnection(builder.ConnectionString);
        var error = await Assert.ThrowsAsync<PostgresException>(() => connection.OpenAsync());
        Assert.Equal("28P01", error.SqlState); // invalid_password: scram-sha-256 is enforced, not trust.
    }
}
