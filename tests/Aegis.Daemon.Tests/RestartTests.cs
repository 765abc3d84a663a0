using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Famiglia.TestKit;

namespace Aegis.Daemon.Tests;

/// <summary>aegisd as a real process, killed with SIGKILL and started again on the same data dir.</summary>
public class RestartTests
{
    [Fact]
    public async Task After_SIGKILL_and_restart_the_registry_is_intact_and_nothing_is_left_behind()
    {
        using var data = TempDirectory.Create("aegisd-restart");
        string appId;
        string instanceId;
        int port;
        await using (var first = await AegisDaemonProcess.StartAsync(data.Path))
        {
            port = first.Port;
            using var api = first.CreateClient();
            (await api.PostAsJsonAsync("/v1/kits", new { manifest = KitYaml })).EnsureSuccessStatusCode();
            var created = await api.PostAsJsonAsync("/v1/apps", new { kit = "restartkit", name = "survivor", config = new { command = new[] { "sleep", "600" } }, secrets = new Dictionary<string, string> { ["TOKEN"] = "t" } });
            appId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("appId").GetString()!;
            var ensured = await api.PostAsJsonAsync("/v1/instances/ensure", new { appId });
            var instance = await ensured.Content.ReadFromJsonAsync<JsonElement>();
            Assert.True(ensured.IsSuccessStatusCode, instance.ToString());
            instanceId = instance.GetProperty("instanceId").GetString()!;
            Assert.True(Directory.Exists(MemoryCgroup(instanceId)));

            await first.KillAsync();
        }

        await using var second = await AegisDaemonProcess.StartAsync(data.Path, port);
        using var again = second.CreateClient();
        var reloaded = await again.GetFromJsonAsync<JsonElement>($"/v1/instances/{instanceId}");
        Assert.Equal("terminated", reloaded.GetProperty("state").GetString());
        Assert.Contains("aegisd restarted", reloaded.GetProperty("reason").GetString(), StringComparison.Ordinal);

        var app = await again.GetFromJsonAsync<JsonElement>($"/v1/apps/{appId}");
        Assert.Equal("survivor", app.GetProperty("name").GetString());
        Assert.Equal("TOKEN", app.GetProperty("secretNames")[0].GetString());

        Assert.False(Directory.Exists(MemoryCgroup(instanceId)), "the memory cgroup is left behind");
        Assert.DoesNotContain(NetnsName(instanceId), await RunAsync("ip", "netns", "list"), StringComparison.Ordinal);
        Assert.DoesNotContain(Process.GetProcesses(), p => CommandLine(p).Contains(instanceId, StringComparison.Ordinal));

        // And it still works.
        var again2 = await again.PostAsJsonAsync("/v1/instances/ensure", new { appId });
        Assert.True(again2.IsSuccessStatusCode);
        var fresh = (await again2.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("instanceId").GetString()!;
        Assert.Equal("terminated", (await (await again.PostAsync($"/v1/instances/{fresh}/terminate", null)).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("state").GetString());
        Assert.False(Directory.Exists(MemoryCgroup(fresh)));
    }

    private const string KitYaml = """
        name: restartkit
        version: 1.0.0
        image:
          base: aegis/base:latest
        resources:
          memory: 64mb
          cpu: 1
          disk: 1gb
        """;

    private static string MemoryCgroup(string instanceId) => $"/sys/fs/cgroup/memory/aegis/{instanceId}";

    private static string NetnsName(string instanceId) =>
        "aegis-" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(instanceId)))[..12];

    private static async Task<string> RunAsync(string file, params string[] arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true, UseShellExecute = false })!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        return output;
    }

    private static string CommandLine(Process process)
    {
        try
        {
            return File.ReadAllText($"/proc/{process.Id}/cmdline").Replace('\0', ' ');
        }
        catch (IOException)
        {
            return "";
        }
    }
}
