using Aegis.Sandbox;
using Aegis.Sandbox.Bubblewrap;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace Aegis.Sandbox.Tests.Bubblewrap;

/// <summary>What a bwrap sandbox leaves on the host once it is gone: nothing but its workspace and log.</summary>
public sealed class BubblewrapLeftoverTests(ITestOutputHelper output) : SandboxTestBase(output)
{
    [Fact]
    public async Task Terminate_leaves_no_process_cgroup_netns_link_rule_or_mount()
    {
        var sandbox = (BubblewrapSandbox)await StartAsync(ShellSpec("sleep 600 & sleep 600 & echo started; wait"));
        await WaitUntilAsync(() => ReadLog(sandbox).Contains("started"), "the sandbox to start its children");
        var footprint = await CaptureAsync(sandbox);
        Assert.True(footprint.Pids.Count >= 3, "the sandbox's processes should be in its cgroup");
        Assert.All(footprint.CgroupDirectories, d => Assert.True(Directory.Exists(d), d));
        Assert.Contains(sandbox.NetworkNamespace, await IpAsync("netns", "list"));

        var exit = await sandbox.TerminateAsync(TimeSpan.FromSeconds(2)).WaitAsync(HangGuard);

        Assert.Equal(SandboxExitReason.Terminated, exit.Reason);
        await AssertNothingLeftAsync(sandbox, footprint);
    }

    [Fact]
    public async Task The_address_of_a_gone_sandbox_goes_nowhere_rather_than_out_the_default_route()
    {
        var sandbox = await StartAsync(ShellSpec("sleep 600"));
        var address = sandbox.Endpoint.Address.ToString();
        Assert.DoesNotContain("blackhole", await IpAsync("route", "get", address));

        await sandbox.TerminateAsync(TimeSpan.FromSeconds(2)).WaitAsync(HangGuard);

        // The kernel refuses to route it at all (a blackhole route), instead of sending it to the gateway.
        Assert.Contains("blackhole 10.201.0.0/16", await IpAsync("route", "show", "type", "blackhole"));
        var lookup = await HostCommand.TryRunAsync("/usr/sbin/ip", ["route", "get", address]);
        Assert.NotEqual(0, lookup.ExitCode);
    }

    [Fact]
    public async Task A_sandbox_that_exits_by_itself_cleans_up_too()
    {
        var sandbox = (BubblewrapSandbox)await StartAsync(ShellSpec("echo bye"));
        var footprint = await CaptureAsync(sandbox);

        var exit = await ExitedAsync(sandbox);

        Assert.Equal(0, exit.ExitCode);
        await AssertNothingLeftAsync(sandbox, footprint);
        Assert.Contains("bye", ReadLog(sandbox));
    }

    [Fact]
    public async Task A_failed_start_removes_what_it_created()
    {
        var spec = ShellSpec("true");
        var sandbox = await StartAsync(spec);

        // A second start of a running instance id collides on its cgroup and must leave the first one intact.
        await Assert.ThrowsAsync<SandboxException>(() => Backend.StartAsync(spec));
        await ExitedAsync(sandbox);
        Assert.DoesNotContain(BubblewrapBackend.NetworkNamespaceName(spec.InstanceId), await IpAsync("netns", "list"));
    }

    protected override ISandboxBackend CreateBackend(string stateDirectory, ILoggerFactory loggerFactory) =>
        BubblewrapTestBackend.Create(stateDirectory, loggerFactory);

    private static async Task<Footprint> CaptureAsync(BubblewrapSandbox sandbox)
    {
        var pids = new HashSet<int> { sandbox.Pid };
        foreach (var directory in sandbox.CgroupDirectories)
        {
            foreach (var line in await ReadLinesOrEmptyAsync(Path.Combine(directory, "cgroup.procs")))
            {
                pids.Add(int.Parse(line));
            }
        }

        return new Footprint([.. pids], sandbox.CgroupDirectories, sandbox.HostInterface);
    }

    private static async Task AssertNothingLeftAsync(BubblewrapSandbox sandbox, Footprint footprint)
    {
        Assert.Equal(SandboxState.Terminated, sandbox.State);
        foreach (var pid in footprint.Pids)
        {
            // A reused pid would belong to a process outside the sandbox's pid namespace.
            Assert.False(Directory.Exists($"/proc/{pid}") && File.ReadAllText($"/proc/{pid}/cmdline").Contains("bwrap"), $"pid {pid} is still alive");
        }

        Assert.All(footprint.CgroupDirectories, d => Assert.False(Directory.Exists(d), $"{d} still exists"));
        Assert.DoesNotContain(sandbox.NetworkNamespace, await IpAsync("netns", "list"));
        Assert.DoesNotContain(footprint.HostInterface + ":", await IpAsync("-o", "link", "show"));
        Assert.DoesNotContain(footprint.HostInterface + " ", await IpAsync("rule", "show"));
        Assert.DoesNotContain(sandbox.FirewallTable, await HostCommand.RunAsync(SandboxFirewall.Nft, ["list", "tables"]));
        var mounts = await File.ReadAllTextAsync("/proc/mounts");
        Assert.DoesNotContain(sandbox.Id, mounts);
        Assert.DoesNotContain(sandbox.NetworkNamespace, mounts);
        Assert.False(Directory.Exists(sandbox.RuntimeDirectory));
    }

    private static async Task<string> IpAsync(params string[] arguments) => await HostCommand.RunAsync("/usr/sbin/ip", arguments);

    private static async Task<string[]> ReadLinesOrEmptyAsync(string path)
    {
        try
        {
            return await File.ReadAllLinesAsync(path);
        }
        catch (IOException)
        {
            return [];
        }
    }

    private sealed record Footprint(IReadOnlyList<int> Pids, IReadOnlyList<string> CgroupDirectories, string HostInterface);
}
