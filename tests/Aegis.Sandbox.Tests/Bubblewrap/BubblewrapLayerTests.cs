using Aegis.Sandbox;
using Aegis.Sandbox.Bubblewrap;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace Aegis.Sandbox.Tests.Bubblewrap;

/// <summary>
/// The release and instance tiers on bwrap (AEGIS.md, snapshot tiers): the release is the shared, untouched lower layer
/// of every instance of it; each instance writes to its own overlayfs layer, which outlives the sandbox.
/// </summary>
public sealed class BubblewrapLayerTests(ITestOutputHelper output) : SandboxTestBase(output)
{
    [Fact]
    public async Task Two_instances_of_one_release_share_it_and_a_write_in_one_is_invisible_to_the_other()
    {
        var release = NewRelease();
        var layerA = Path.Combine(Root, "layer-a");
        var layerB = Path.Combine(Root, "layer-b");

        var a = await StartAsync(ShellSpec(
            "cat /agent/index.js; echo changed-by-a > /agent/index.js; echo new > /agent/a-only; rm /agent/lib/util.js; echo written; sleep 600") with
        {
            ReleaseDirectory = release,
            InstanceLayerDirectory = layerA,
        });
        await WaitUntilAsync(() => ReadLog(a).Contains("written"), "instance A to write to /agent");

        var b = await StartAsync(ShellSpec(
            "echo \"index=$(cat /agent/index.js)\"; [ -e /agent/a-only ] && echo SEES-A-ONLY; [ -e /agent/lib/util.js ] && echo util-present; echo read; sleep 600") with
        {
            ReleaseDirectory = release,
            InstanceLayerDirectory = layerB,
        });
        await WaitUntilAsync(() => ReadLog(b).Contains("read"), "instance B to read /agent");

        // A sees its own changes; B, running at the same time on the same release, sees the release as built.
        Assert.Contains("release-v1", ReadLog(a));
        Assert.Contains("index=release-v1", ReadLog(b));
        Assert.Contains("util-present", ReadLog(b));
        Assert.DoesNotContain("SEES-A-ONLY", ReadLog(b));

        // The release on the host is untouched; A's changes are in A's layer only (a whiteout for the deleted file).
        Assert.Equal("release-v1\n", File.ReadAllText(Path.Combine(release, "index.js")));
        Assert.True(File.Exists(Path.Combine(release, "lib", "util.js")));
        Assert.False(File.Exists(Path.Combine(release, "a-only")));
        Assert.Equal("changed-by-a\n", File.ReadAllText(Path.Combine(layerA, "upper", "index.js")));
        Assert.True(File.Exists(Path.Combine(layerA, "upper", "a-only")));
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(layerB, "upper")));
    }

    [Fact]
    public async Task The_instance_layer_outlives_its_sandbox_and_nothing_stays_mounted()
    {
        var release = NewRelease();
        var layer = Path.Combine(Root, "layer");
        var first = (BubblewrapSandbox)await StartAsync(ShellSpec("echo kept > /agent/state.txt; echo written; sleep 600") with
        {
            ReleaseDirectory = release,
            InstanceLayerDirectory = layer,
        });
        await WaitUntilAsync(() => ReadLog(first).Contains("written"), "the first sandbox to write");
        Assert.Contains(SandboxMounts.MountPoints(), m => m.StartsWith(first.RuntimeDirectory, StringComparison.Ordinal));

        await first.TerminateAsync(TimeSpan.FromSeconds(2)).WaitAsync(HangGuard);

        Assert.DoesNotContain(SandboxMounts.MountPoints(), m => m.StartsWith(first.RuntimeDirectory, StringComparison.Ordinal));
        Assert.False(Directory.Exists(first.RuntimeDirectory));
        Assert.Equal("kept\n", File.ReadAllText(Path.Combine(layer, "upper", "state.txt")));

        var second = await StartAsync(ShellSpec("echo \"state=$(cat /agent/state.txt) index=$(cat /agent/index.js)\"") with
        {
            ReleaseDirectory = release,
            InstanceLayerDirectory = layer,
        });
        await ExitedAsync(second);
        Assert.Contains("state=kept index=release-v1", ReadLog(second));
    }

    [Fact]
    public async Task Without_an_instance_layer_the_release_is_read_only()
    {
        var release = NewRelease();
        var sandbox = await StartAsync(ShellSpec("if echo x > /agent/index.js; then echo WROTE; else echo REFUSED; fi") with
        {
            ReleaseDirectory = release,
        });
        await ExitedAsync(sandbox);

        Assert.Contains("REFUSED", ReadLog(sandbox));
        Assert.Equal("release-v1\n", File.ReadAllText(Path.Combine(release, "index.js")));
    }

    [Fact]
    public async Task Leftovers_of_a_killed_daemon_are_unmounted_before_anything_is_deleted()
    {
        // What a daemon killed with SIGKILL leaves: the overlay still mounted in the sandbox's runtime directory.
        var release = NewRelease();
        var layer = Path.Combine(Root, "layer");
        var instanceId = "left" + Guid.NewGuid().ToString("N")[..8];
        var runtime = Path.Combine(Root, "state", "run", instanceId);
        SandboxMounts.MountOverlay(release, layer, Path.Combine(runtime, "agent"));
        File.WriteAllText(Path.Combine(runtime, "agent", "written.txt"), "instance data\n");

        var removed = await Backend.RemoveLeftoversAsync(instanceId);

        Assert.Contains($"mount {Path.Combine(runtime, "agent")}", removed);
        Assert.False(Directory.Exists(runtime));
        Assert.Equal("instance data\n", File.ReadAllText(Path.Combine(layer, "upper", "written.txt")));
        Assert.Equal("release-v1\n", File.ReadAllText(Path.Combine(release, "index.js")));
    }

    [Fact]
    public async Task An_instance_layer_without_a_release_is_refused()
    {
        var spec = ShellSpec("true") with { InstanceLayerDirectory = Path.Combine(Root, "layer") };

        var error = await Assert.ThrowsAsync<ArgumentException>(() => Backend.StartAsync(spec));

        Assert.Contains("needs a release", error.Message);
    }

    protected override ISandboxBackend CreateBackend(string stateDirectory, ILoggerFactory loggerFactory) =>
        BubblewrapTestBackend.Create(stateDirectory, loggerFactory);

    private string NewRelease()
    {
        var release = Path.Combine(Root, "release-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(Path.Combine(release, "lib"));
        File.WriteAllText(Path.Combine(release, "index.js"), "release-v1\n");
        File.WriteAllText(Path.Combine(release, "lib", "util.js"), "util\n");
        return release;
    }
}
