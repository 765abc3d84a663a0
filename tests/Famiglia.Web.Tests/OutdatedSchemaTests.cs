using Microsoft.Data.Sqlite;

namespace Famiglia.Web.Tests;

public sealed class OutdatedSchemaTests
{
    [Fact]
    public async Task A_database_from_before_migrations_is_refused_at_startup_with_the_way_out_and_is_left_as_it_was()
    {
        using var data = Famiglia.TestKit.TempDirectory.Create("outdated-db-");
        await using (var first = new FamigliaWebFactory(dataDirectory: data.Path))
        {
            await first.SeedAsync();
        }

        // What EnsureCreated made: the tables, no migrations history.
        SqliteConnection.ClearAllPools();
        var database = Path.Combine(data.Path, "famiglia.db");
        await ExecuteAsync(database, "DROP TABLE __EFMigrationsHistory");
        var users = await ExecuteAsync(database, "SELECT COUNT(*) FROM Users");

        await using (var second = new FamigliaWebFactory(dataDirectory: data.Path))
        {
            var error = Assert.Throws<InvalidOperationException>(() => second.CreateAgentClient(null));
            Assert.Contains("no migrations history", error.Message, StringComparison.Ordinal);
            Assert.Contains("rm -rf .famiglia/famiglia", error.Message, StringComparison.Ordinal);
        }

        SqliteConnection.ClearAllPools();
        Assert.Equal(users, await ExecuteAsync(database, "SELECT COUNT(*) FROM Users"));
    }

    [Fact]
    public async Task A_migrated_database_starts_again_with_its_data()
    {
        using var data = Famiglia.TestKit.TempDirectory.Create("migrated-db-");
        await using (var first = new FamigliaWebFactory(dataDirectory: data.Path))
        {
            await first.SeedAsync();
        }

        await using var second = new FamigliaWebFactory(dataDirectory: data.Path);
        var key = await second.IssueKeyAsync("feldmans", "photo-agent");
        using var client = second.CreateAgentClient(key);
        Assert.Equal(234, (await client.GetJsonAsync("/api/agent/feed?type=image&limit=1")).Total());
    }

    private static async Task<long> ExecuteAsync(string database, string sql)
    {
        await using var connection = new SqliteConnection($"Data Source={database};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteScalarAsync() is long n ? n : -1;
    }
}
