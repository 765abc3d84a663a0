using System.Net.Http.Json;
using System.Text.Json;
using Famiglia.TestKit;

namespace Aegis.Cli.Tests.Commands;

public class StatusCommandTests
{
    [Fact]
    public async Task Status_with_nothing_listening_exits_3_and_says_how_to_start_aegisd()
    {
        using var data = TempDirectory.Create("aegis-cli-nodaemon");

        var result = await CliResult.RunAsync("status", "--url", $"http://127.0.0.1:{FreePort.Next()}", "--data-dir", data.Path);

        Assert.Equal(ExitCodes.Unreachable, result.ExitCode);
        Assert.Contains("not reachable", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("aegis up -d", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Status_json_lists_an_instance_after_an_ensure()
    {
        await using var daemon = await AegisdProcess.StartAsync();
        var appId = await daemon.CreateSleepingAppAsync("statuskit", "sleeper");
        var ensured = await daemon.Api.PostAsJsonAsync("/v1/instances/ensure", new { appId });
        var instance = await ensured.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(ensured.IsSuccessStatusCode, instance.ToString());
        var instanceId = instance.GetProperty("instanceId").GetString();

        var json = await daemon.RunCliAsync("status", "--json");
        var table = await daemon.RunCliAsync("status");

        Assert.True(json.ExitCode == 0, json.ToString());
        var listed = Assert.Single(JsonDocument.Parse(json.Stdout).RootElement.EnumerateArray());
        Assert.Equal(instanceId, listed.GetProperty("instanceId").GetString());
        Assert.Equal(appId, listed.GetProperty("appId").GetString());
        Assert.Equal("running", listed.GetProperty("state").GetString());
        Assert.True(listed.GetProperty("resources").GetProperty("memoryBytes").GetInt64() > 0, listed.ToString());
        Assert.Equal(0, table.ExitCode);
        var row = table.Stdout.Split('\n').Single(l => l.Contains(instanceId!, StringComparison.Ordinal));
        Assert.Matches(@" [0-9.]+ (B|KiB|MiB) / [0-9.]+ MiB +[0-9]+\.[0-9]{2} s ", row);
    }

    [Fact]
    public async Task Status_says_how_full_each_warm_pool_is()
    {
        await using var daemon = await AegisdProcess.StartAsync(["--Aegis:WarmPool:statuskit=1"]);
        await daemon.CreateSleepingAppAsync("statuskit", "unused");

        var deadline = DateTime.UtcNow.AddSeconds(30);
        CliResult table;
        while (!(table = await daemon.RunCliAsync("status")).Stdout.Contains("warm pool statuskit: 1 of 1 ready", StringComparison.Ordinal))
        {
            Assert.True(DateTime.UtcNow < deadline, table.ToString());
            await Task.Delay(100);
        }

        Assert.Equal(0, table.ExitCode);
    }
}
