using System.Net;
using AlyAspire.Tests.Infrastructure;
using Npgsql;

namespace AlyAspire.Tests.Foundation;

[Collection(PlatformCollection.Name)]
public sealed class RestartTests(PlatformFixture platform)
{
    [Fact]
    public async Task Data_written_before_a_postgres_restart_is_still_there_and_services_recover()
    {
        // Unpooled: a pooled connection would be one the restart has just terminated.
        var connectionString = new NpgsqlConnectionStringBuilder(await platform.ConnectionStringAsync("storedb")) { Pooling = false }.ConnectionString;
        var marker = Guid.NewGuid().ToString("N");
        await using (var connection = new NpgsqlConnection(connectionString))
        {
            await connection.OpenAsync();
            await using (var create = new NpgsqlCommand("CREATE TABLE IF NOT EXISTS restart_probe (marker text PRIMARY KEY)", connection))
            {
                await create.ExecuteNonQueryAsync();
            }

            await using var insert = new NpgsqlCommand("INSERT INTO restart_probe VALUES ($1)", connection);
            insert.Parameters.AddWithValue(marker);
            await insert.ExecuteNonQueryAsync();
        }

        await platform.RestartAsync("postgres");

        await using (var connection = new NpgsqlConnection(connectionString))
        {
            await connection.OpenAsync();
            await using var read = new NpgsqlCommand("SELECT count(*) FROM restart_probe WHERE marker = $1", connection);
            read.Parameters.AddWithValue(marker);
            Assert.Equal(1L, await read.ExecuteScalarAsync());
        }

        // Services reconnect by themselves: their health (which includes the database) comes back.
        foreach (var service in PlatformFixture.Services)
        {
            using var client = platform.CreateClient(service);
            await Eventually.SucceedsAsync(async () =>
                Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health")).StatusCode));
        }
    }

    [Fact]
    public async Task A_restarted_service_comes_back_healthy()
    {
        await platform.RestartAsync("ratelimiter");
        using var client = platform.CreateClient("ratelimiter");
        var response = await client.GetAsync("/health");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
