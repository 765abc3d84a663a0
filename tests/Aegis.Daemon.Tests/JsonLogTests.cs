using System.Net.Http.Json;
using System.Text.Json;
using Famiglia.TestKit;

namespace Aegis.Daemon.Tests;

/// <summary>Aegis:LogFormat=json: every line aegisd writes is one JSON object a collector can index by its fields.</summary>
public sealed class JsonLogTests
{
    [Fact]
    public async Task Every_line_is_a_json_object_with_the_messages_fields()
    {
        using var data = TempDirectory.Create("aegisd-json-log");
        string instanceId;
        var daemon = await AegisDaemonProcess.StartAsync(data.Path, settings: ["--Aegis:LogFormat=json", "--Logging:LogLevel:Default=Information"]);
        await using (daemon)
        {
            using var api = daemon.CreateClient();
            (await api.PostAsJsonAsync("/v1/kits", new { manifest = DaemonTestBase.MinimalKit })).EnsureSuccessStatusCode();
            var created = await (await api.PostAsJsonAsync("/v1/apps", new { kit = "testkit", name = "logged", config = new { command = new[] { "sleep", "60" }, healthCheck = "process" } }))
                .Content.ReadFromJsonAsync<JsonElement>();
            var ensured = await api.PostAsJsonAsync("/v1/instances/ensure", new { appId = created.GetProperty("appId").GetString() });
            instanceId = (await ensured.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("instanceId").GetString()!;
        }

        // Stopped (SIGTERM): its shutdown lines are in too.
        var output = daemon.Output();

        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.NotEmpty(lines);
        var entries = lines.Select(line => JsonDocument.Parse(line).RootElement).ToList();
        Assert.All(entries, e => Assert.True(DateTimeOffset.TryParse(e.GetProperty("Timestamp").GetString(), out _), e.ToString()));
        var healthy = Assert.Single(entries, e => e.GetProperty("Category").GetString() == "Aegis.Daemon.Instances.InstanceManager"
            && e.GetProperty("Message").GetString()!.Contains("healthy", StringComparison.Ordinal));
        Assert.Equal(instanceId, healthy.GetProperty("State").GetProperty("InstanceId").GetString());
        Assert.Equal("Information", healthy.GetProperty("LogLevel").GetString());
    }

    [Fact]
    public async Task An_unknown_log_format_fails_startup_naming_it()
    {
        using var data = TempDirectory.Create("aegisd-json-log");

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => AegisDaemonProcess.StartAsync(data.Path, settings: ["--Aegis:LogFormat=xml"]));

        Assert.Contains("Aegis:LogFormat must be text or json", error.Message, StringComparison.Ordinal);
    }
}
