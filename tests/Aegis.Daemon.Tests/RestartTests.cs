using System.Diagnostics;
using System.Net.Http.Headers;
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
        var port = FreePort.Next();
        string appId;
        string instanceId;
        using (var first = StartDaemon(data.Path, port))
        {
            using var api = await ClientAsync(data.Path, port, first);
            (await api.PostAsJsonAsync("/v1/kits", new { manifest = KitYaml })).EnsureSuccessStatusCode();
            var created = await api.PostAsJsonAsync("/v1/apps", new { kit = "restartkit", name = "survivor", config = new { command = new[] { "sleep", "600" } }, secrets = new Dictionary<string, string> { ["TOKEN"] = "t" } });
            appId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("appId").GetString()!;
            var ensured = await api.PostAsJsonAsync("/v1/instances/ensure", new { appId });
            var instance = await ensured.Content.ReadFromJsonAsync<JsonElement>();
            Assert.True(ensured.IsSuccessStatusCode, instance.ToString());
            instanceId = instance.GetProperty("instanceId").GetString()!;
            Assert.True(Directory.Exists(MemoryCgroup(instanceId)));

            first.Kill(); // SIGKILL: no shutdown code runs
            await first.WaitForExitAsync();
        }

        using var second = StartDaemon(data.Path, port);
        using var again = await ClientAsync(data.Path, port, second);
        try
        {
            var instance = await again.GetFromJsonAsync<JsonElement>($"/v1/instances/{instanceId}");
            Assert.Equal("terminated", instance.GetProperty("state").GetString());
            Assert.Contains("aegisd restarted", instance.GetProperty("reason").GetString(), StringComparison.Ordinal);

            var app = await again.GetFromJsonAsync<JsonElement>($"/v1/apps/{appId}");
            Assert.Equal("survivor", app.GetProperty("name").GetString());
            Assert.Equal("TOKEN", app.GetProperty("secretNames")[0].GetString());

            Assert.False(Directory.Exists(MemoryCgroup(instanceId)), "the memory cgroup is left behind");
            Assert.DoesNotContain(NetnsName(instanceId), await RunAsync("ip", "netns", "list"), StringComparison.Ordinal);
            Assert.DoesNotContain(Process.GetProcesses(), p => CommandLine(p).Contains(instanceId, StringComparison.Ordinal));

            // And it still works.
            var ensured = await again.PostAsJsonAsync("/v1/instances/ensure", new { appId });
            Assert.True(ensured.IsSuccessStatusCode);
            var fresh = (await ensured.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("instanceId").GetString()!;
            Assert.Equal("terminated", (await (await again.PostAsync($"/v1/instances/{fresh}/terminate", null)).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("state").GetString());
            Assert.False(Directory.Exists(MemoryCgroup(fresh)));
        }
        finally
        {
            second.Kill();
            await second.WaitForExitAsync();
        }
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

    private static Process StartDaemon(string dataDirectory, int port)
    {
        var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name; // bin/<Configuration>/net10.0
        var dll = RepositoryPaths.Combine("src", "Aegis.Daemon", "bin", configuration, "net10.0", "aegisd.dll");
        var info = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { dll, $"--Aegis:DataDirectory={dataDirectory}", $"--urls=http://127.0.0.1:{port}" })
        {
            info.ArgumentList.Add(argument);
        }

        var process = Process.Start(info)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static async Task<HttpClient> ClientAsync(string dataDirectory, int port, Process daemon)
    {
        var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(60) };
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            Assert.False(daemon.HasExited, $"aegisd exited with {(daemon.HasExited ? daemon.ExitCode : 0)}");
            try
            {
                if ((await client.GetAsync("/healthz")).IsSuccessStatusCode)
                {
                    break;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("aegisd did not start");
            }

            await Task.Delay(100);
        }

        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", File.ReadAllText(Path.Combine(dataDirectory, "token")).Trim());
        return client;
    }

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
