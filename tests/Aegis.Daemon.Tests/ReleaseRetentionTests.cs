using System.Net;
using System.Text.Json;

namespace Aegis.Daemon.Tests;

/// <summary>Retention: after each publish aegisd keeps the newest Aegis:KeepReleases releases and any release a live
/// instance runs; the others go, artifacts included.</summary>
public sealed class ReleaseRetentionTests : DaemonTestBase
{
    protected override AegisDaemonFactory CreateDaemon() => new(settings: new Dictionary<string, string>
    {
        ["Aegis:KeepReleases"] = "2",
    });

    [Fact]
    public async Task Old_releases_are_pruned_except_the_one_a_live_instance_runs()
    {
        var appId = await CreateAppAsync("kept", ["sleep", "60"], healthCheck: "process");
        await PublishAsync(appId, "v1");
        var instance = await EnsureAsync(appId); // runs release 1
        foreach (var version in new[] { "v2", "v3", "v4" })
        {
            await PublishAsync(appId, version);
        }

        Assert.Equal(new[] { 1, 3, 4 }, await VersionsAsync(appId));
        Assert.False(Directory.Exists(ReleaseDirectory(appId, 2)));
        Assert.True(Directory.Exists(ReleaseDirectory(appId, 1)));

        (await Api.PostAsync($"/v1/instances/{instance.GetProperty("instanceId").GetString()}/terminate", null)).EnsureSuccessStatusCode();
        await PublishAsync(appId, "v5");
        Assert.Equal(new[] { 4, 5 }, await VersionsAsync(appId));
        Assert.False(Directory.Exists(ReleaseDirectory(appId, 1)));
    }

    private async Task PublishAsync(string appId, string content)
    {
        using var response = await Api.PostAsync($"/v1/apps/{appId}/releases", new ByteArrayContent(TarGz(("index.html", content))));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    private async Task<int[]> VersionsAsync(string appId) =>
        [.. (await GetJsonAsync($"/v1/apps/{appId}/releases")).EnumerateArray().Select(r => r.GetProperty("version").GetInt32()).Order()];

    private string ReleaseDirectory(string appId, int version) =>
        Path.Combine(Daemon.DataDirectory, "apps", appId, "releases", version.ToString(System.Globalization.CultureInfo.InvariantCulture));
}
