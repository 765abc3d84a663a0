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

    /// <summary>An agent's row: its status and its Aegis app and instance.</summary>
    public static async Task<(string Status, string? AppId, string? InstanceId)> AgentAsync(FamigliaStack stack, string agentId)
    {
        await using var connection = await OpenAsync(stack);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT Status, AegisAppId, AegisInstanceId FROM AgentConfigs WHERE Id = $id";
        command.Parameters.AddWithValue("$id", agentId);
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync(), $"no agent {agentId}");
        return (reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2));
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
