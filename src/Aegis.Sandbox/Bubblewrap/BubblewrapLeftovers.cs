using System.Text.RegularExpressions;

namespace Aegis.Sandbox.Bubblewrap;

/// <summary>Finds and removes, by instance id, what a sandbox leaves behind when the daemon that owned it was
/// killed: processes in its cgroups, the cgroup directories, its nftables table, its network namespace with the veth
/// pair and the isolation rule on the host side, and its runtime directory.</summary>
internal static partial class BubblewrapLeftovers
{
    private const string Ip = "/usr/sbin/ip";
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(10);

    public static async Task<IReadOnlyList<string>> RemoveAsync(BubblewrapOptions options, string instanceId, CancellationToken cancellationToken)
    {
        var removed = new List<string>();
        foreach (var directory in CgroupDirectories(options, instanceId))
        {
            await KillAndRemoveAsync(directory, cancellationToken);
            removed.Add($"cgroup {directory}");
        }

        var netns = BubblewrapBackend.NetworkNamespaceName(instanceId);
        if (await SandboxFirewall.DeleteAsync(netns, cancellationToken))
        {
            removed.Add($"nftables table inet {netns}");
        }

        if (File.Exists($"/run/netns/{netns}"))
        {
            var links = await HostCommand.TryRunAsync(Ip, ["-n", netns, "-o", "link"], cancellationToken);
            var slot = SandboxLink().Match(links.StandardOutput) is { Success: true } match ? match.Groups[1].Value : null;
            await HostCommand.TryRunAsync(Ip, ["netns", "del", netns], cancellationToken);
            removed.Add($"netns {netns}");
            if (slot is not null)
            {
                var hostLink = $"aegis{slot}h";
                if ((await HostCommand.TryRunAsync(Ip, ["link", "del", hostLink], cancellationToken)).ExitCode == 0)
                {
                    removed.Add($"link {hostLink}");
                }

                while ((await HostCommand.TryRunAsync(Ip, ["rule", "del", "iif", hostLink], cancellationToken)).ExitCode == 0)
                {
                    removed.Add($"rule iif {hostLink}");
                }
            }
        }

        var runtime = Path.Combine(options.RuntimeDirectory, instanceId);
        if (Directory.Exists(runtime))
        {
            foreach (var mountPoint in SandboxMounts.UnmountUnder(runtime))
            {
                removed.Add($"mount {mountPoint}");
            }

            Directory.Delete(runtime, recursive: true);
            removed.Add($"runtime {runtime}");
        }

        return removed;
    }

    private static IEnumerable<string> CgroupDirectories(BubblewrapOptions options, string instanceId)
    {
        if (File.Exists(Path.Combine(options.CgroupRoot, "cgroup.controllers")))
        {
            var unified = Path.Combine(options.CgroupRoot, options.CgroupParent, instanceId);
            return Directory.Exists(unified) ? [unified] : [];
        }

        return Directory.EnumerateDirectories(options.CgroupRoot)
            .Select(controller => Path.Combine(controller, options.CgroupParent, instanceId))
            .Where(Directory.Exists)
            .ToList();
    }

    private static async Task KillAndRemoveAsync(string directory, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + HangGuard;
        while (true)
        {
            var procs = Path.Combine(directory, "cgroup.procs");
            var pids = File.Exists(procs)
                ? (await File.ReadAllLinesAsync(procs, cancellationToken)).Where(l => l.Length > 0).Select(int.Parse).ToList()
                : [];
            foreach (var pid in pids)
            {
                NativeMethods.Signal(pid, NativeMethods.SigKill);
            }

            // A frozen cgroup delivers SIGKILL only once thawed.
            var freezer = Path.Combine(directory, "freezer.state");
            if (File.Exists(freezer))
            {
                await File.WriteAllTextAsync(freezer, "THAWED", cancellationToken);
            }

            try
            {
                if (pids.Count == 0)
                {
                    Directory.Delete(directory);
                    return;
                }
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                // EBUSY while the kernel releases the last tasks.
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new SandboxException($"Could not empty and remove cgroup {directory}.");
            }

            await Task.Delay(50, cancellationToken);
        }
    }

    [GeneratedRegex(@"aegis(\d+)s[@:]")]
    private static partial Regex SandboxLink();
}
