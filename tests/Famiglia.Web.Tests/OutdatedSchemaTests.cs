using Microsoft.Data.Sqlite;

namespace Famiglia.Web.Tests;

public sealed class OutdatedSchemaTests
{
    [Fact]
    public async Task A_database_from_an_older_famiglia_web_is_refused_at_startup_naming_what_is_missing_and_the_way_out()
    {
        using var data = Famiglia.TestKit.TempDirectory.Create("outdated-db-");
        await using (var first = new FamigliaWebFactory(dataDirectory: data.Path))
        {
            await first.SeedAsync();
        }

        SqliteConnection.ClearAllPools();
        await using (var connection = new SqliteConnection($"Data Source={Path.Combine(data.Path, "famiglia.db")};Pooling=False"))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = "ALTER TABLE Users DROP COLUMN PasswordHash";
            await command.ExecuteNonQueryAsync();
        }

        await using var second = new FamigliaWebFactory(dataDirectory: data.Path);
        var error = Assert.Throws<InvalidOperationException>(() => second.CreateAgentClient(null));
        Assert.Contains("lacks Users.PasswordHash", error.Message, StringComparison.Ordinal);
        Assert.Contains("rm -rf .famiglia/famiglia", error.Message, StringComparison.Ordinal);
    }
}
