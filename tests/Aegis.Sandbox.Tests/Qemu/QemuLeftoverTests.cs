using Aegis.Sandbox.Qemu;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace Aegis.Sandbox.Tests.Qemu;

/// <summary>What a qemu sandbox leaves on the host once it is gone: nothing but its workspace (written back) and log.</summary>
public sealed class QemuLeftoverTests(QemuImage image, ITestOutputHelper output) : SandboxTestBase(output), IClassFixture<QemuImage>
{
    [Fact]
    public async Task Terminate_leaves_no_process_runtime_file_or_port_and_writes_the_workspace_back()
    {
        var workspace = NewWorkspace();
        await File.WriteAllTextAsync(Path.Combine(workspace, "deleted-inside.txt"), "x");
        var sandbox = (QemuSandbox)await StartAsync(ShellSpec(
            "rm /workspace/deleted-inside.txt; mkdir -p /workspace/sub; echo inside > /workspace/sub/new.txt; echo hi > /canvas/index.html; " +
            "echo started; exec python3 -m http.server 80 --bind 0.0.0.0 --directory /workspace",
            workspace));
        await WaitUntilAsync(() => ReadLog(sandbox).Contains("started"), "the sandbox to start");
        var footprint = Footprint(sandbox);
        Assert.Contains(sandbox.Pid, footprint);
        Assert.True(Directory.Exists(sandbox.RuntimeDirectory));

        var exit = await sandbox.TerminateAsync(TimeSpan.FromSeconds(2)).WaitAsync(HangGuard);

        Assert.Equal(SandboxExitReason.Terminated, exit.Reason);
        AssertNothingLeft(sandbox, footprint);
        Assert.False(File.Exists(Path.Combine(workspace, "deleted-inside.txt")));
        Assert.Equal("inside\n", await File.ReadAllTextAsync(Path.Combine(workspace, "sub", "new.txt")));
        Assert.Equal("hi\n", await File.ReadAllTextAsync(Path.Combine(workspace, "canvas", "index.html")));
        Assert.False(Directory.Exists(Path.Combine(workspace, "lost+found")));
    }

    [Fact]
    public async Task A_sandbox_that_exits_by_itself_cleans_up_too()
    {
        var sandbox = (QemuSandbox)await StartAsync(ShellSpec("echo bye"));
        var footprint = Footprint(sandbox);

        var exit = await ExitedAsync(sandbox);

        Assert.Equal(0, exit.ExitCode);
        AssertNothingLeft(sandbox, footprint);
        Assert.Contains("bye", ReadLog(sandbox));
    }

    [Fact]
    public async Task Leftovers_of_a_dead_daemon_are_removed_and_the_workspace_is_saved()
    {
        var workspace = NewWorkspace();
        var sandbox = (QemuSandbox)await StartAsync(ShellSpec("echo kept > /workspace/kept.txt; sync; echo written; exec sleep 600", workspace));
        await WaitUntilAsync(() => ReadLog(sandbox).Contains("written"), "the guest to write");

        // Another backend instance, as a restarted aegisd would have, finds the VM by its runtime directory.
        var removed = await CreateBackend(Path.GetDirectoryName(Path.GetDirectoryName(sandbox.RuntimeDirectory)!)!, LoggerFactory)
            .RemoveLeftoversAsync(sandbox.Id).WaitAsync(HangGuard);

        Assert.Contains(removed, r => r.StartsWith("qemu pid", StringComparison.Ordinal));
        await ExitedAsync(sandbox);
        Assert.False(Directory.Exists(sandbox.RuntimeDirectory));
        Assert.Equal("kept\n", await File.ReadAllTextAsync(Path.Combine(workspace, "kept.txt")));
    }

    [Fact]
    public async Task A_second_start_of_a_running_instance_is_refused_and_leaves_the_first_intact()
    {
        var spec = ShellSpec("echo first; exec sleep 600");
        var sandbox = await StartAsync(spec);

        await Assert.ThrowsAsync<SandboxException>(() => Backend.StartAsync(spec));

        Assert.Equal(SandboxState.Running, sandbox.State);
        await WaitUntilAsync(() => ReadLog(sandbox).Contains("first"), "the first sandbox's output");
    }

    protected override ISandboxBackend CreateBackend(string stateDirectory, ILoggerFactory loggerFactory) =>
        QemuTestBackend.Create(image, stateDirectory, loggerFactory);

    /// <summary>The VMM and everything it runs (the socat relays of internal hosts).</summary>
    private static List<int> Footprint(QemuSandbox sandbox)
    {
        var pids = new List<int> { sandbox.Pid };
        for (var i = 0; i < pids.Count; i++)
        {
            try
            {
                pids.AddRange(File.ReadAllText($"/proc/{pids[i]}/task/{pids[i]}/children").Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse));
            }
            catch (IOException)
            {
            }
        }

        return pids;
    }

    private static void AssertNothingLeft(QemuSandbox sandbox, List<int> footprint)
    {
        Assert.Equal(SandboxState.Terminated, sandbox.State);
        foreach (var pid in footprint)
        {
            Assert.False(Directory.Exists($"/proc/{pid}") && File.ReadAllText($"/proc/{pid}/cmdline").Contains(sandbox.Id), $"pid {pid} is still alive");
        }

        Assert.False(Directory.Exists(sandbox.RuntimeDirectory), $"{sandbox.RuntimeDirectory} still exists");
        using var client = new System.Net.Sockets.TcpClient();
        Assert.ThrowsAny<System.Net.Sockets.SocketException>(() => client.Connect(sandbox.Endpoint));
    }
}
