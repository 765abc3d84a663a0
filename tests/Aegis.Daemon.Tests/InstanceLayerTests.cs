using System.Net;

namespace Aegis.Daemon.Tests;

/// <summary>
/// The instance layer through aegisd (bwrap): what an app's instance writes to <c>/agent</c> stays for its next instance
/// of the same release, like its workspace; an instance of a newer release starts from that release as built.
/// </summary>
public sealed class InstanceLayerTests : DaemonTestBase
{
    private const string Script =
        "n=$(cat /agent/mark 2>/dev/null | wc -l); echo x >> /agent/mark; echo \"$(cat /agent/index.html) $n\" >> /workspace/boots; sleep 600";

    [Fact]
    public async Task Writes_to_the_release_survive_terminate_and_a_new_release_starts_clean()
    {
        var appId = await CreateAppAsync("layered", ["/bin/sh", "-c", Script], healthCheck: "process");
        await PublishAsync(appId, "v1");

        await RunOnceAsync(appId, expectedBoots: 1);
        await RunOnceAsync(appId, expectedBoots: 2);
        await PublishAsync(appId, "v2");
        await RunOnceAsync(appId, expectedBoots: 3);

        Assert.Equal(["v1 0", "v1 1", "v2 0"], await File.ReadAllLinesAsync(Path.Combine(Volume(appId), "workspace", "boots")));

        // The release as published is untouched; only the current release's layer is left.
        var releases = Path.Combine(Daemon.DataDirectory, "apps", appId, "releases");
        Assert.All(Directory.EnumerateDirectories(releases), r => Assert.False(File.Exists(Path.Combine(r, "mark")), r));
        var layer = Assert.Single(Directory.EnumerateDirectories(Path.Combine(Volume(appId), "layers")));
        Assert.Equal("x\n", await File.ReadAllTextAsync(Path.Combine(layer, "upper", "mark")));
    }

    private async Task RunOnceAsync(string appId, int expectedBoots)
    {
        var instanceId = (await EnsureAsync(appId)).GetProperty("instanceId").GetString()!;
        var boots = Path.Combine(Volume(appId), "workspace", "boots");
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!File.Exists(boots) || (await File.ReadAllLinesAsync(boots)).Length < expectedBoots)
        {
            Assert.True(DateTime.UtcNow < deadline, $"instance {instanceId} did not write its boot line");
            await Task.Delay(50);
        }

        (await Api.PostAsync($"/v1/instances/{instanceId}/terminate", null)).EnsureSuccessStatusCode();
        await WaitForStateAsync(instanceId, "terminated");
    }

    private async Task PublishAsync(string appId, string content)
    {
        using var response = await Api.PostAsync($"/v1/apps/{appId}/releases", new ByteArrayContent(TarGz(("index.html", content))));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    private string Volume(string appId) => Path.Combine(Daemon.DataDirectory, "apps", appId, "volume");
}
