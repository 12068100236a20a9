using System.Net;
using AlyAspire.Tests.Infrastructure;
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
