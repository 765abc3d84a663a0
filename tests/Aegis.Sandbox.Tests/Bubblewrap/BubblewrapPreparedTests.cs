using Aegis.Sandbox;
using Aegis.Sandbox.Bubblewrap;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace Aegis.Sandbox.Tests.Bubblewrap;

/// <summary>
/// Prepared sandboxes (the warm pool's unit): started from a kit's template before anyone asks, then claimed by an app's
/// spec, after which they are indistinguishable from a sandbox started for that spec.
/// </summary>
public sealed class BubblewrapPreparedTests(ITestOutputHelper output) : SandboxTestBase(output)
{
    private const string Secret = "s3cr3t 'quoted' \"double\" $HOME `tick` \\ back\nline";

    [Fact]
    public async Task A_claimed_sandbox_runs_the_apps_command_with_its_env_workspace_release_and_layer()
    {
        await using var prepared = await Backend.PrepareAsync(new SandboxTemplate(NewId()));
        var workspace = NewWorkspace();
        File.WriteAllText(Path.Combine(workspace, "before.txt"), "from the host\n");
        var release = NewRelease();
        var layer = Path.Combine(Root, "layer");
        var spec = new SandboxSpec(prepared.Id, "app-prepared", "/bin/sh", workspace)
        {
            Arguments =
            [
                "-c",
                "printf '%s|' \"$(pwd)\" \"$(cat before.txt)\" \"$(cat /agent/index.js)\" \"$(id -u)\" \"$GREETING\"; echo; " +
                "printf '%s' \"$API_KEY\" > /workspace/secret.txt; echo changed > /agent/index.js; echo canvas > /canvas/page.html; echo done; sleep 600",
            ],
            Environment = new Dictionary<string, string> { ["GREETING"] = "hello there", ["API_KEY"] = Secret },
            ReleaseDirectory = release,
            InstanceLayerDirectory = layer,
        };

        var sandbox = await prepared.ClaimAsync(spec).WaitAsync(HangGuard);
        Track(sandbox);
        await WaitUntilAsync(() => ReadLog(sandbox).Contains("done"), "the claimed command to run");

        Assert.Contains("/workspace|from the host|release-v1|1000|hello there|", ReadLog(sandbox));
        Assert.Equal(Secret, File.ReadAllText(Path.Combine(workspace, "secret.txt")));
        Assert.Equal("canvas\n", File.ReadAllText(Path.Combine(workspace, "canvas", "page.html")));
        Assert.Equal("changed\n", File.ReadAllText(Path.Combine(layer, "upper", "index.js")));
        Assert.Equal("release-v1\n", File.ReadAllText(Path.Combine(release, "index.js")));
        foreach (var pid in Directory.EnumerateDirectories("/proc").Select(Path.GetFileName).Where(p => p!.All(char.IsAsciiDigit)))
        {
            var cmdline = TryRead($"/proc/{pid}/cmdline");
            Assert.DoesNotContain("s3cr3t", cmdline);
        }

        // Pause and resume act on it like on any sandbox; terminate unmounts before it deletes, so the app's files stay.
        await sandbox.PauseAsync();
        await sandbox.ResumeAsync();
        var bubblewrap = (BubblewrapSandbox)sandbox;
        await sandbox.TerminateAsync(TimeSpan.FromSeconds(2)).WaitAsync(HangGuard);
        Assert.False(Directory.Exists(bubblewrap.RuntimeDirectory));
        Assert.DoesNotContain(SandboxMounts.MountPoints(), m => m.StartsWith(bubblewrap.RuntimeDirectory, StringComparison.Ordinal));
        Assert.Equal("from the host\n", File.ReadAllText(Path.Combine(workspace, "before.txt")));
        Assert.Equal("changed\n", File.ReadAllText(Path.Combine(layer, "upper", "index.js")));
    }

    [Fact]
    public async Task A_release_without_a_layer_is_read_only_in_a_claimed_sandbox_too()
    {
        await using var prepared = await Backend.PrepareAsync(new SandboxTemplate(NewId()));
        var release = NewRelease();
        var sandbox = await prepared.ClaimAsync(new SandboxSpec(prepared.Id, "app", "/bin/sh", NewWorkspace())
        {
            Arguments = ["-c", "if echo x > /agent/index.js; then echo WROTE; else echo REFUSED; fi"],
            ReleaseDirectory = release,
        });
        Track(sandbox);
        await ExitedAsync(sandbox);

        Assert.Contains("REFUSED", ReadLog(sandbox));
        Assert.Equal("release-v1\n", File.ReadAllText(Path.Combine(release, "index.js")));
    }

    [Fact]
    public async Task A_spec_that_does_not_fit_the_template_is_refused_and_the_sandbox_stays_claimable()
    {
        await using var prepared = await Backend.PrepareAsync(new SandboxTemplate(NewId()) { Network = new SandboxNetwork(SandboxEgress.Deny) });
        var workspace = NewWorkspace();

        var wrongNetwork = await Assert.ThrowsAsync<ArgumentException>(() => prepared.ClaimAsync(
            new SandboxSpec(prepared.Id, "app", "/bin/sh", workspace) { Network = new SandboxNetwork(SandboxEgress.Allow) }));
        var wrongName = await Assert.ThrowsAsync<ArgumentException>(() => prepared.ClaimAsync(
            new SandboxSpec(prepared.Id, "app", "/bin/sh", workspace) { Environment = new Dictionary<string, string> { ["A-B"] = "x" } }));

        Assert.Contains("network", wrongNetwork.Message);
        Assert.Contains("A-B", wrongName.Message);
        var sandbox = await prepared.ClaimAsync(new SandboxSpec(prepared.Id, "app", "/bin/sh", workspace) { Arguments = ["-c", "echo claimed"] });
        Track(sandbox);
        await ExitedAsync(sandbox);
        Assert.Contains("claimed", ReadLog(sandbox));
    }

    [Fact]
    public async Task An_unclaimed_sandbox_that_is_disposed_leaves_nothing()
    {
        var prepared = await Backend.PrepareAsync(new SandboxTemplate(NewId()));
        var runtime = Path.Combine(Root, "state", "run", prepared.Id);
        Assert.Contains(SandboxMounts.MountPoints(), m => m.StartsWith(runtime, StringComparison.Ordinal));

        await prepared.DisposeAsync().AsTask().WaitAsync(HangGuard);

        Assert.True(prepared.Exited.IsCompleted);
        Assert.False(Directory.Exists(runtime));
        Assert.DoesNotContain(SandboxMounts.MountPoints(), m => m.StartsWith(runtime, StringComparison.Ordinal));
        Assert.DoesNotContain(BubblewrapBackend.NetworkNamespaceName(prepared.Id), await HostCommand.RunAsync("/usr/sbin/ip", ["netns", "list"]));
    }

    [Fact]
    public async Task A_prepared_sandbox_that_died_cannot_be_claimed()
    {
        await using var prepared = await Backend.PrepareAsync(new SandboxTemplate(NewId()));
        foreach (var pid in File.ReadAllLines(Path.Combine("/sys/fs/cgroup/pids/aegis", prepared.Id, "cgroup.procs")))
        {
            NativeMethods.Signal(int.Parse(pid), NativeMethods.SigKill);
        }

        await prepared.Exited.WaitAsync(HangGuard);

        var error = await Assert.ThrowsAsync<SandboxException>(() => prepared.ClaimAsync(new SandboxSpec(prepared.Id, "app", "/bin/sh", NewWorkspace())));
        Assert.Contains("ended before it was claimed", error.Message);
    }

    protected override ISandboxBackend CreateBackend(string stateDirectory, ILoggerFactory loggerFactory) =>
        BubblewrapTestBackend.Create(stateDirectory, loggerFactory);

    private static string NewId() => "p" + Guid.NewGuid().ToString("N")[..12];

    private static string TryRead(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (IOException)
        {
            return "";
        }
        catch (UnauthorizedAccessException)
        {
            return "";
        }
    }

    private string NewRelease()
    {
        var release = Path.Combine(Root, "release-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(release);
        File.WriteAllText(Path.Combine(release, "index.js"), "release-v1\n");
        return release;
    }
}
