using System.Text.RegularExpressions;
using Aegis.Sandbox.Qemu;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace Aegis.Sandbox.Tests.Qemu;

/// <summary>Memory snapshots: terminate into a snapshot, restore, and the guest's processes go on where they were.</summary>
public sealed partial class QemuSnapshotTests(QemuImage image, ITestOutputHelper output) : SandboxTestBase(output), IClassFixture<QemuImage>
{
    [Fact]
    public async Task A_counter_continues_from_its_value_after_terminate_and_restore_and_the_workspace_is_intact()
    {
        var workspace = NewWorkspace();
        await File.WriteAllTextAsync(Path.Combine(workspace, "from-host.txt"), "host-data");
        var spec = ShellSpec(
            // The count lives only in the shell's memory; the files show the workspace disk before and after.
            "echo guest-data > /workspace/from-guest.txt; i=0; " +
            "while true; do i=$((i+1)); echo \"count=$i host=$(cat /workspace/from-host.txt) guest=$(cat /workspace/from-guest.txt) time=$(date +%s)\"; echo $i > /workspace/last-count; sleep 0.1; done",
            workspace);
        var sandbox = (QemuSandbox)await StartAsync(spec);
        await WaitUntilAsync(() => Counts(sandbox).Count >= 5, "the counter to run");
        var snapshotDirectory = Path.Combine(Path.GetDirectoryName(workspace)!, "snapshot-" + spec.InstanceId);

        var snapshot = await sandbox.SnapshotAsync(snapshotDirectory).WaitAsync(HangGuard);

        var exit = await ExitedAsync(sandbox);
        Assert.Equal(SandboxExitReason.Terminated, exit.Reason);
        Assert.Equal(SandboxState.Terminated, sandbox.State);
        Assert.False(Directory.Exists(sandbox.RuntimeDirectory));
        Assert.False(Directory.Exists($"/proc/{sandbox.Pid}"));
        Assert.True(snapshot.MemoryBytes > 0);
        var before = Counts(sandbox).Max();

        // While the instance is snapshotted its workspace is on the host, as after any exit.
        Assert.Equal("guest-data\n", await File.ReadAllTextAsync(Path.Combine(workspace, "from-guest.txt")));
        Assert.InRange(long.Parse(await File.ReadAllTextAsync(Path.Combine(workspace, "last-count"))), before - 1, before);

        // Long enough for a guest clock that stood still in the snapshot to be visibly behind.
        await Task.Delay(TimeSpan.FromSeconds(6));
        var restored = await ((QemuBackend)Backend).RestoreAsync(spec, QemuSnapshot.Load(snapshotDirectory)).WaitAsync(HangGuard);
        Track(restored);
        await WaitUntilAsync(() => Counts(restored).Max() > before + 5, "the restored counter to go on");

        // One counter, never restarted: every value once, in order, across the snapshot.
        var counts = Counts(restored);
        Assert.Equal(Enumerable.Range(1, counts.Count).Select(i => (long)i), counts);
        Assert.Contains($"count={before + 1} host=host-data guest=guest-data", ReadLog(restored));

        // The guest's clock was set to the host's on restore.
        var guestTime = long.Parse(GuestTime().Matches(ReadLog(restored))[^1].Groups[1].Value);
        Assert.InRange(guestTime, DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 3, DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 1);
        Assert.False(Directory.Exists(snapshotDirectory));

        // A generous grace: a guest that misses it (a loaded host under TCG) is stopped without syncing its disks, and
        // the last writes checked below would be lost with it.
        var final = await restored.TerminateAsync(TimeSpan.FromSeconds(10)).WaitAsync(HangGuard);
        Assert.Equal(SandboxExitReason.Terminated, final.Reason);
        Assert.True(long.Parse(await File.ReadAllTextAsync(Path.Combine(workspace, "last-count"))) > before);
        Assert.Equal("host-data", await File.ReadAllTextAsync(Path.Combine(workspace, "from-host.txt")));
    }

    [Fact]
    public async Task A_paused_sandbox_snapshots_too_and_a_snapshot_of_another_machine_is_refused()
    {
        var sandbox = (QemuSandbox)await StartAsync(ShellSpec("i=0; while true; do i=$((i+1)); echo count=$i; sleep 0.1; done"));
        await WaitUntilAsync(() => Counts(sandbox).Count >= 3, "the counter to run");
        await sandbox.PauseAsync();
        var snapshotDirectory = Path.Combine(Path.GetTempPath(), "aegis-snapshot-" + sandbox.Id);
        try
        {
            var snapshot = await sandbox.SnapshotAsync(snapshotDirectory).WaitAsync(HangGuard);

            // A spec whose canvas lives outside the workspace needs a second disk: not the machine in the snapshot.
            var other = ShellSpec("true") with { InstanceId = sandbox.Id, CanvasDirectory = NewWorkspace() };
            var error = await Assert.ThrowsAsync<SandboxException>(() => ((QemuBackend)Backend).RestoreAsync(other, snapshot));
            Assert.Contains("shares", error.Message);
            Assert.True(File.Exists(Path.Combine(snapshotDirectory, "memory")));

            // Nor one taken on an image since rebuilt: its instance layer is a diff against the old root disk.
            var machine = Path.Combine(snapshotDirectory, "machine.json");
            var json = System.Text.Json.Nodes.JsonNode.Parse(await File.ReadAllTextAsync(machine))!;
            Assert.False(string.IsNullOrEmpty((string?)json["imageKey"]));
            json["imageKey"] = "0123456789abcdef";
            await File.WriteAllTextAsync(machine, json.ToJsonString());
            var rebuilt = await Assert.ThrowsAsync<SandboxException>(() => Backend.RestoreAsync(ShellSpec("true") with { InstanceId = sandbox.Id }, snapshotDirectory));
            Assert.Contains("rebuilt", rebuilt.Message);
            Assert.True(File.Exists(Path.Combine(snapshotDirectory, "instance.qcow2")));
        }
        finally
        {
            if (Directory.Exists(snapshotDirectory))
            {
                Directory.Delete(snapshotDirectory, recursive: true);
            }
        }
    }

    protected override ISandboxBackend CreateBackend(string stateDirectory, ILoggerFactory loggerFactory) =>
        QemuTestBackend.Create(image, stateDirectory, loggerFactory);

    private static List<long> Counts(ISandbox sandbox) =>
        [.. CountLine().Matches(ReadLog(sandbox)).Select(m => long.Parse(m.Groups[1].Value))];

    [GeneratedRegex(@"^count=(\d+)", RegexOptions.Multiline)]
    private static partial Regex CountLine();

    [GeneratedRegex(@" time=(\d+)$", RegexOptions.Multiline)]
    private static partial Regex GuestTime();
}
