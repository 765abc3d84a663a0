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

    /// <summary>An agent's row: status, XMPP account, Aegis app and instance, and its thread (its document's key).</summary>
    public static async Task<AgentRow> AgentAsync(FamigliaStack stack, string agentId)
    {
        await using var connection = await OpenAsync(stack);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT a.Status, a.XmppUser, a.XmppPassword, a.AegisAppId, a.AegisInstanceId, d.CrdtKey
            FROM AgentConfigs a JOIN RoomDocuments d ON d.Id = a.DocumentId WHERE a.Id = $id
            """;
        command.Parameters.AddWithValue("$id", agentId);
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync(), $"no agent {agentId}");
        return new AgentRow(reader.GetString(0), reader.GetString(1), reader.GetString(2),
            reader.IsDBNull(3) ? null : reader.GetString(3), reader.IsDBNull(4) ? null : reader.GetString(4), reader.GetString(5));
    }

    /// <summary>Waits until the agent's row has <paramref name="status"/>.</summary>
    public static Task WaitForStatusAsync(FamigliaStack stack, string agentId, string status) =>
        WaitUntilAsync(async () => (await AgentAsync(stack, agentId)).Status == status, $"status {status}");

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

/// <summary>An agent's row in famiglia-web's database (<see cref="WebDatabase.AgentAsync"/>).</summary>
internal sealed record AgentRow(string Status, string XmppUser, string XmppPassword, string? AppId, string? InstanceId, string Thread);
