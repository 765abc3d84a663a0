using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Aegis.Daemon.Instances;
using Aegis.Sandbox.Tests.Qemu;
using Microsoft.Extensions.DependencyInjection;

namespace Aegis.Daemon.Tests.Snapshots;

/// <summary>
/// The instance tier on the qemu backend (its image built by the <see cref="QemuImage"/> fixture when missing):
/// terminate saves the instance's memory, ensure restores it, a snapshot that cannot serve gives way to a fresh boot,
/// and the sweep deletes the ones past <c>Aegis:Snapshots:MaxAge</c>.
/// </summary>
public sealed partial class SnapshotTests(QemuImage image) : DaemonTestBase, IClassFixture<QemuImage>
{
    // A counter that lives only in the shell's memory, with a random id per boot; a file the guest writes; port 80
    // serving the workspace (the health check, and the router's way in).
    private static readonly string[] CounterApp =
    [
        "sh", "-c",
        "boot=$(cat /proc/sys/kernel/random/uuid); echo written-by-the-guest > /workspace/guest.txt; " +
        "python3 -m http.server 80 --bind 0.0.0.0 --directory /workspace >/dev/null 2>&1 & " +
        "i=0; while true; do i=$((i+1)); echo \"boot=$boot count=$i\"; sleep 0.2; done",
    ];

    [Fact]
    public async Task Terminate_saves_the_memory_and_ensure_restores_it_the_counter_goes_on_and_the_workspace_is_intact()
    {
        var appId = await CreateAppAsync("counter", CounterApp);
        await File.WriteAllTextAsync(WorkspaceFile(appId, "host.txt"), "written-by-the-host");
        var first = await EnsureAsync(appId);
        var firstId = first.GetProperty("instanceId").GetString()!;
        await WaitForCountsAsync(firstId, 5);
        var resources = await WaitForGuestResourcesAsync(firstId);

        var terminated = await TerminateAsync(firstId);

        // What the guest's command uses (its agent's report): the counter shell, python, sleep and the reaper.
        Assert.True(resources.GetProperty("processes").GetInt32() >= 3, resources.ToString());
        Assert.True(resources.GetProperty("memoryBytes").GetInt64() > 0, resources.ToString());
        Assert.True(resources.GetProperty("cpuSeconds").GetDouble() > 0, resources.ToString());
        Assert.Equal(128L * 1024 * 1024, resources.GetProperty("memoryLimitBytes").GetInt64());
        Assert.Equal(JsonValueKind.Null, terminated.GetProperty("resources").ValueKind);
        Assert.Equal("terminated", terminated.GetProperty("state").GetString());
        var snapshot = terminated.GetProperty("snapshot");
        Assert.True(snapshot.GetProperty("memoryBytes").GetInt64() > 0, snapshot.ToString());
        Assert.True(Directory.Exists(SnapshotDirectory(firstId)));
        Assert.Equal("written-by-the-guest\n", await File.ReadAllTextAsync(WorkspaceFile(appId, "guest.txt")));
        var before = Counts(await LogsAsync(firstId));
        Assert.Equal(Enumerable.Range(1, before.Count), before.Select(c => c.Count));

        var second = await EnsureAsync(appId);

        var secondId = second.GetProperty("instanceId").GetString()!;
        Assert.NotEqual(firstId, secondId);
        Assert.Equal("running", second.GetProperty("state").GetString());
        var after = await WaitForCountsAsync(secondId, 5);

        // The same boot of the same shell: one counter, every value once, in order, across the two instances' logs.
        Assert.All(after, c => Assert.Equal(before[0].Boot, c.Boot));
        Assert.Equal(Enumerable.Range(1, before.Count + after.Count), before.Concat(after).Select(c => c.Count));

        // The restored guest serves the workspace as it was, through the router.
        using var router = new HttpClient { BaseAddress = Daemon.BaseAddress };
        Assert.Equal("written-by-the-guest\n", await router.GetStringAsync($"/agent/{appId}/guest.txt"));
        Assert.Equal("written-by-the-host", await router.GetStringAsync($"/agent/{appId}/host.txt"));

        // Consumed by its restore.
        Assert.False(Directory.Exists(SnapshotDirectory(firstId)));
        Assert.Equal(JsonValueKind.Null, (await GetJsonAsync($"/v1/instances/{firstId}")).GetProperty("snapshot").ValueKind);
        var restored = await WaitForEventAsync("snapshot.restored", secondId);
        Assert.Contains($"continues {firstId}", restored.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Contains("MiB on disk", (await WaitForEventAsync("snapshot.created", firstId)).GetProperty("message").GetString(), StringComparison.Ordinal);
        using var anonymous = Daemon.CreateClient();
        Assert.Matches(@"aegis_ensure_seconds_count\{[^}]*path=""restore""[^}]*\} [1-9]", await anonymous.GetStringAsync("/metrics"));
    }

    [Fact]
    public async Task Stopping_aegisd_saves_the_memory_and_after_a_restart_ensure_continues_the_instance()
    {
        var appId = await CreateAppAsync("upgraded", CounterApp);
        var firstId = (await EnsureAsync(appId)).GetProperty("instanceId").GetString()!;
        var before = await WaitForCountsAsync(firstId, 5);

        // aegisd stops (an upgrade, a host reboot) and comes back on the same data directory.
        await Daemon.DisposeAsync();
        Assert.True(Directory.Exists(SnapshotDirectory(firstId)));
        await using var restarted = new AegisDaemonFactory(Daemon.DataDirectory, Settings);
        using var api = restarted.CreateAuthorizedClient();
        var stopped = await api.GetFromJsonAsync<JsonElement>($"/v1/instances/{firstId}");
        Assert.Equal("terminated", stopped.GetProperty("state").GetString());
        Assert.Contains("snapshot is kept", stopped.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.NotEqual(JsonValueKind.Null, stopped.GetProperty("snapshot").ValueKind);

        using var ensure = await api.PostAsJsonAsync("/v1/instances/ensure", new { appId });
        var second = await ensure.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(ensure.IsSuccessStatusCode, second.ToString());
        var secondId = second.GetProperty("instanceId").GetString()!;
        List<(string Boot, int Count)> after = [];
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (after.Count < 3)
        {
            Assert.True(DateTime.UtcNow < deadline, "the restored counter did not go on");
            await Task.Delay(200);
            after = Counts(await api.GetStringAsync($"/v1/instances/{secondId}/logs"));
        }

        // The same shell of the same boot goes on counting after the restart.
        var last = Counts(await api.GetStringAsync($"/v1/instances/{firstId}/logs"));
        Assert.All(after, c => Assert.Equal(before[0].Boot, c.Boot));
        Assert.Equal(last[^1].Count + 1, after[0].Count);
    }

    [Fact]
    public async Task A_snapshot_that_fails_to_restore_gives_way_to_a_fresh_boot_on_the_workspace()
    {
        var appId = await CreateAppAsync("corrupted", CounterApp);
        await File.WriteAllTextAsync(WorkspaceFile(appId, "host.txt"), "written-by-the-host");
        var firstId = (await EnsureAsync(appId)).GetProperty("instanceId").GetString()!;
        var before = await WaitForCountsAsync(firstId, 3);
        Assert.NotEqual(JsonValueKind.Null, (await TerminateAsync(firstId)).GetProperty("snapshot").ValueKind);

        // Garbage where the guest's memory was.
        var memory = Path.Combine(SnapshotDirectory(firstId), "memory");
        var garbage = new byte[new FileInfo(memory).Length];
        Random.Shared.NextBytes(garbage);
        await File.WriteAllBytesAsync(memory, garbage);

        var second = await EnsureAsync(appId);

        var secondId = second.GetProperty("instanceId").GetString()!;
        Assert.Equal("running", second.GetProperty("state").GetString());
        var after = await WaitForCountsAsync(secondId, 1);
        Assert.NotEqual(before[0].Boot, after[0].Boot);
        Assert.Equal(1, after[0].Count);
        using var router = new HttpClient { BaseAddress = Daemon.BaseAddress };
        Assert.Equal("written-by-the-host", await router.GetStringAsync($"/agent/{appId}/host.txt"));
        Assert.False(Directory.Exists(SnapshotDirectory(firstId)));
        var discarded = (await WaitForEventAsync("snapshot.discarded", firstId)).GetProperty("message").GetString();
        Assert.StartsWith("the restore failed", discarded, StringComparison.Ordinal);
        Assert.EndsWith($"{secondId} boots afresh", discarded, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_sweep_deletes_snapshots_past_the_max_age_and_nothing_else_and_deleting_an_app_deletes_its_snapshots()
    {
        var oldApp = await CreateAppAsync("old", CounterApp);
        var oldId = await RunAndTerminateAsync(oldApp);
        Daemon.Clock.Advance(TimeSpan.FromDays(4));
        var youngApp = await CreateAppAsync("young", CounterApp);
        var youngId = await RunAndTerminateAsync(youngApp);

        // 4 days and 0 days old: both stay.
        await WaitForSweepsAsync(2);
        Assert.True(Directory.Exists(SnapshotDirectory(oldId)));
        Assert.True(Directory.Exists(SnapshotDirectory(youngId)));

        // 7.5 days and 3.5 days old: only the first goes, file and row.
        Daemon.Clock.Advance(TimeSpan.FromDays(3.5));
        await WaitForSweepsAsync(2);
        Assert.False(Directory.Exists(SnapshotDirectory(oldId)));
        Assert.Equal(JsonValueKind.Null, (await GetJsonAsync($"/v1/instances/{oldId}")).GetProperty("snapshot").ValueKind);
        Assert.True(Directory.Exists(SnapshotDirectory(youngId)));
        Assert.NotEqual(JsonValueKind.Null, (await GetJsonAsync($"/v1/instances/{youngId}")).GetProperty("snapshot").ValueKind);
        Assert.Contains("Aegis:Snapshots:MaxAge", (await WaitForEventAsync("snapshot.expired", oldId)).GetProperty("message").GetString(), StringComparison.Ordinal);

        (await Api.DeleteAsync($"/v1/apps/{youngApp}")).EnsureSuccessStatusCode();

        Assert.False(Directory.Exists(SnapshotDirectory(youngId)));
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(Daemon.DataDirectory, "snapshots")));
    }

    [Fact]
    public async Task A_snapshot_of_a_pruned_release_gives_way_to_a_fresh_boot_and_release_disks_go_with_their_releases()
    {
        var appId = await CreateAppAsync("released", CounterApp);
        await PublishAsync(appId, "v1");
        var firstId = await RunAndTerminateAsync(appId);
        Assert.Single(ReleaseDisks());

        // Aegis:KeepReleases = 1: v1 goes with its disk, and its snapshot can only be discarded.
        await PublishAsync(appId, "v2");
        Assert.Empty(ReleaseDisks());

        var second = await EnsureAsync(appId);

        var secondId = second.GetProperty("instanceId").GetString()!;
        Assert.Equal(1, (await WaitForCountsAsync(secondId, 1))[0].Count);
        Assert.False(Directory.Exists(SnapshotDirectory(firstId)));
        var discarded = (await WaitForEventAsync("snapshot.discarded", firstId)).GetProperty("message").GetString();
        Assert.StartsWith("the release changed", discarded, StringComparison.Ordinal);
        Assert.Single(ReleaseDisks());

        (await Api.DeleteAsync($"/v1/apps/{appId}")).EnsureSuccessStatusCode();
        Assert.Empty(ReleaseDisks());
    }

    protected override AegisDaemonFactory CreateDaemon() => new(settings: Settings);

    private Dictionary<string, string> Settings => new()
    {
        ["Aegis:Backend"] = "qemu",
        ["Aegis:Qemu:ImageDirectory"] = image.Directory,
        ["Aegis:Snapshots:SweepInterval"] = "00:00:00.100",
        ["Aegis:KeepReleases"] = "1",

        // A TCG guest is slower to answer than a bwrap sandbox; these only bound a hang.
        ["Aegis:BootTimeout"] = "00:02:00",
        ["Aegis:HealthTimeout"] = "00:00:10",
    };

    private async Task PublishAsync(string appId, string content)
    {
        using var response = await Api.PostAsync($"/v1/apps/{appId}/releases", new ByteArrayContent(TarGz(("index.js", content))));
        response.EnsureSuccessStatusCode();
    }

    /// <summary>The qemu backend's release disks (its runtime directory is <c>&lt;data&gt;/qemu</c>).</summary>
    private string[] ReleaseDisks()
    {
        var cache = Path.Combine(Daemon.DataDirectory, "qemu", "+releases");
        return Directory.Exists(cache) ? Directory.GetFiles(cache, "*.img") : [];
    }

    private async Task<string> RunAndTerminateAsync(string appId)
    {
        var id = (await EnsureAsync(appId)).GetProperty("instanceId").GetString()!;
        await WaitForCountsAsync(id, 2);
        Assert.NotEqual(JsonValueKind.Null, (await TerminateAsync(id)).GetProperty("snapshot").ValueKind);
        return id;
    }

    private async Task<JsonElement> TerminateAsync(string instanceId)
    {
        using var response = await Api.PostAsync($"/v1/instances/{instanceId}/terminate", null);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(response.IsSuccessStatusCode, body.ToString());
        return body;
    }

    private async Task<string> LogsAsync(string instanceId) => await Api.GetStringAsync($"/v1/instances/{instanceId}/logs");

    /// <summary>The instance's resources once the guest agent has reported them (about once a second; before that they are
    /// the VMM's, without a process count); the guard only prevents a hang.</summary>
    private async Task<JsonElement> WaitForGuestResourcesAsync(string instanceId)
    {
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (true)
        {
            var resources = (await GetJsonAsync($"/v1/instances/{instanceId}")).GetProperty("resources");
            if (resources.ValueKind == JsonValueKind.Object && resources.GetProperty("processes").ValueKind == JsonValueKind.Number)
            {
                return resources;
            }

            Assert.True(DateTime.UtcNow < deadline, $"{instanceId} has no guest report: {resources}");
            await Task.Delay(100);
        }
    }

    /// <summary>Until the instance's log holds <paramref name="count"/> counter lines; the guard only prevents a hang.</summary>
    private async Task<List<(string Boot, int Count)>> WaitForCountsAsync(string instanceId, int count)
    {
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (true)
        {
            var counts = Counts(await LogsAsync(instanceId));
            if (counts.Count >= count)
            {
                return counts;
            }

            Assert.True(DateTime.UtcNow < deadline, $"{instanceId} logged {counts.Count} counts, not {count}");
            await Task.Delay(100);
        }
    }

    /// <summary>The first event of <paramref name="type"/> about <paramref name="instanceId"/>, from the start of the stream.</summary>
    private async Task<JsonElement> WaitForEventAsync(string type, string instanceId)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var response = await Api.GetAsync("/v1/events?after=0", HttpCompletionOption.ResponseHeadersRead, cts.Token);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cts.Token));
        while (await reader.ReadLineAsync(cts.Token) is { } line)
        {
            if (line.StartsWith("data: ", StringComparison.Ordinal)
                && JsonDocument.Parse(line["data: ".Length..]).RootElement is var e
                && e.GetProperty("type").GetString() == type && e.GetProperty("instanceId").GetString() == instanceId)
            {
                return e.Clone();
            }
        }

        throw new InvalidOperationException($"The event stream ended before {type} of {instanceId}");
    }

    private async Task WaitForSweepsAsync(int sweeps)
    {
        var manager = Daemon.Services.GetRequiredService<InstanceManager>();
        var target = manager.SnapshotSweeps + sweeps;
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (manager.SnapshotSweeps < target)
        {
            Assert.True(DateTime.UtcNow < deadline, "the snapshot sweep did not run");
            await Task.Delay(20);
        }
    }

    private string WorkspaceFile(string appId, string name) => Path.Combine(Daemon.DataDirectory, "apps", appId, "volume", "workspace", name);

    private string SnapshotDirectory(string instanceId) => Path.Combine(Daemon.DataDirectory, "snapshots", instanceId);

    private static List<(string Boot, int Count)> Counts(string log) =>
        [.. CountLine().Matches(log).Select(m => (m.Groups[1].Value, int.Parse(m.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture)))];

    [GeneratedRegex(@"^boot=(\S+) count=(\d+)$", RegexOptions.Multiline)]
    private static partial Regex CountLine();
}
