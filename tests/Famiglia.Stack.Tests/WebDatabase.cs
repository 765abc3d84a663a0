using Microsoft.Data.Sqlite;

namespace Famiglia.Stack.Tests;

/// <summary>famiglia-web's SQLite database in the stack, opened read-only, and polling for what the stack does.</summary>
internal static class WebDatabase
{
    public static async Task<SqliteConnection> OpenAsync(FamigliaStack stack)
    {
        var connection = new SqliteConnection($"Data Source={Path.Combine(stack.Web.DataDirectory, "famiglia.db")};Mode=ReadOnly;Pooling=False");
        await connection.OpenAsync();
        return connection;
    }

    public static async Task<object?> ScalarAsync(FamigliaStack stack, string sql)
    {
        await using var connection = await OpenAsync(stack);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteScalarAsync();
    }

    /// <summary>Polls; the limit only turns a hang into a failure (a cold sandbox boot on a loaded 2-core machine is slow).</summary>
    public static async Task WaitUntilAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(120);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for {what}");
            await Task.Delay(100);
        }
    }
}
