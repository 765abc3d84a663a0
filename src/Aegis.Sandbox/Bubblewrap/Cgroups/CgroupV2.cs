using System.Globalization;

namespace Aegis.Sandbox.Bubblewrap.Cgroups;

/// <summary>
/// cgroup v2 (unified): one directory <c>aegis/&lt;instance&gt;</c> with memory, pids and cpu enabled from the root down.
/// Best effort: not exercised by the test host, which runs v1.
/// </summary>
internal sealed class CgroupV2 : SandboxCgroup
{
    private const int CpuPeriodMicroseconds = 100_000;
    private readonly string _directory;
    private readonly List<string> _created = [];

    private CgroupV2(string directory, SandboxResources limits)
        : base(limits) => _directory = directory;

    public override IReadOnlyList<string> ProcsFiles => [Path.Combine(_directory, "cgroup.procs")];

    public override IReadOnlyList<string> Directories => [.. _created];

    public static CgroupV2 CreateV2(string root, string parentName, string instanceId, SandboxResources resources)
    {
        var parent = Path.Combine(root, parentName);
        var cgroup = new CgroupV2(Path.Combine(parent, instanceId), resources);
        try
        {
            Directory.CreateDirectory(parent);
            EnableControllers(root);
            EnableControllers(parent);
            if (Directory.Exists(cgroup._directory))
            {
                throw new SandboxException($"cgroup {cgroup._directory} already exists: instance {instanceId} is running or was not cleaned up");
            }

            Directory.CreateDirectory(cgroup._directory);
            cgroup._created.Add(cgroup._directory);
            cgroup.ApplyLimits(resources);
            return cgroup;
        }
        catch (Exception exception) when (exception is not SandboxException)
        {
            cgroup.DeleteAsync().GetAwaiter().GetResult();
            throw new SandboxException($"Could not create the cgroup of {instanceId}: {exception.Message}", exception);
        }
        catch
        {
            cgroup.DeleteAsync().GetAwaiter().GetResult();
            throw;
        }
    }

    public override async Task FreezeAsync(CancellationToken cancellationToken = default)
    {
        Write(Path.Combine(_directory, "cgroup.freeze"), "1");
        await WaitUntilAsync(() => ReadKeyedValue(Path.Combine(_directory, "cgroup.events"), "frozen") == 1, "cgroup.events frozen 1", cancellationToken);
    }

    public override async Task ThawAsync(CancellationToken cancellationToken = default)
    {
        Write(Path.Combine(_directory, "cgroup.freeze"), "0");
        await WaitUntilAsync(() => ReadKeyedValue(Path.Combine(_directory, "cgroup.events"), "frozen") == 0, "cgroup.events frozen 0", cancellationToken);
    }

    public override long OomKillCount() => ReadKeyedValue(Path.Combine(_directory, "memory.events"), "oom_kill");

    public override SandboxUsage ReadUsage()
    {
        // memory.peak came with Linux 5.19; cpu.stat's usage_usec is there whenever the cgroup exists.
        var peak = Path.Combine(_directory, "memory.peak");
        return new SandboxUsage(
            ReadNumber(Path.Combine(_directory, "memory.current")),
            File.Exists(peak) ? ReadNumber(peak) : null,
            TimeSpan.FromMicroseconds(ReadKeyedValue(Path.Combine(_directory, "cpu.stat"), "usage_usec")),
            (int)ReadNumber(Path.Combine(_directory, "pids.current")),
            Limits);
    }

    public override async Task KillAllAsync(CancellationToken cancellationToken = default)
    {
        // cgroup.kill (5.14+) kills atomically, forks included.
        var kill = Path.Combine(_directory, "cgroup.kill");
        if (File.Exists(kill) && ReadPids().Count > 0)
        {
            Write(kill, "1");
        }

        await base.KillAllAsync(cancellationToken);
    }

    private static void EnableControllers(string directory)
    {
        var available = File.ReadAllText(Path.Combine(directory, "cgroup.controllers")).Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        foreach (var controller in new[] { "memory", "pids", "cpu" })
        {
            if (!available.Contains(controller))
            {
                throw new SandboxException($"cgroup v2 controller '{controller}' is not available in {directory}");
            }
        }

        Write(Path.Combine(directory, "cgroup.subtree_control"), "+memory +pids +cpu");
    }

    private void ApplyLimits(SandboxResources resources)
    {
        Write(Path.Combine(_directory, "memory.max"), resources.MemoryBytes.ToString(CultureInfo.InvariantCulture));
        var swap = Path.Combine(_directory, "memory.swap.max");
        if (File.Exists(swap))
        {
            Write(swap, "0");
        }

        // Kill the whole group on OOM, like the v1 path does after it sees the oom_kill counter move.
        var oomGroup = Path.Combine(_directory, "memory.oom.group");
        if (File.Exists(oomGroup))
        {
            Write(oomGroup, "1");
        }

        Write(Path.Combine(_directory, "pids.max"), resources.PidsLimit.ToString(CultureInfo.InvariantCulture));
        Write(Path.Combine(_directory, "cpu.max"), $"{CpuQuota(resources.CpuCores, CpuPeriodMicroseconds)} {CpuPeriodMicroseconds}");
    }
}
