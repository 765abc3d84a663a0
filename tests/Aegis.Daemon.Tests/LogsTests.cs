namespace Aegis.Daemon.Tests;

public class LogsTests : DaemonTestBase
{
    [Fact]
    public async Task Following_the_logs_streams_new_lines_until_the_instance_ends()
    {
        // Waits for the test's go-file, so some lines are written only after the follow request is open.
        var appId = await CreateAppAsync("talker", ["sh", "-c", "echo before; while [ ! -f /workspace/go ]; do sleep 0.05; done; for i in 1 2 3; do echo after-$i; done; exit 0"], healthCheck: "process");
        var instance = await EnsureAsync(appId);
        var id = instance.GetProperty("instanceId").GetString()!;

        using var response = await Api.GetAsync($"/v1/instances/{id}/logs?follow=true", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        Assert.Equal("before", await reader.ReadLineAsync());

        await File.WriteAllTextAsync(Path.Combine(Daemon.DataDirectory, "apps", appId, "volume", "workspace", "go"), "");
        var rest = await reader.ReadToEndAsync().WaitAsync(TimeSpan.FromSeconds(30)); // ends when the instance does

        Assert.Contains("after-1\nafter-2\nafter-3\n", rest, StringComparison.Ordinal);
        var ended = await GetJsonAsync($"/v1/instances/{id}");
        Assert.NotEqual("running", ended.GetProperty("state").GetString());
    }
}
