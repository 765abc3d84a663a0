using System.Globalization;

namespace Aegis.Sandbox.Bubblewrap.Cgroups;

/// <summary>
/// cgroup v1: one directory per controller (memory, pids, cpu, freezer, and cpuacct when it is mounted apart from cpu),
/// each <c>&lt;controller&gt;/aegis/&lt;instance&gt;</c>.
/// </summary>
internal sealed class CgroupV1 : SandboxCgroup
{
    private const int CpuPeriodMicroseconds = 100_000;
    private static readonly string[] Controllers = ["memory", "pids", "cpu", "freezer"];
    private readonly Dictionary<string, string> _directories;

    private CgroupV1(Dictionary<string, string> directories, SandboxResources limits)
        : base(limits) => _directories = directories;

    public override IReadOnlyList<string> ProcsFiles => [.. _directories.Values.Select(d => Path.Combine(d, "cgroup.procs"))];

    public override IReadOnlyList<string> Directories => [.. _directories.Values];

    private string Memory => _directories["memory"];

    private string FreezerState => Path.Combine(_directories["freezer"], "freezer.state");

    public static CgroupV1 CreateV1(string root, string parentName, string instanceId, SandboxResources resources)
    {
        var directories = new Dictionary<string, string>();
        var cgroup = new CgroupV1(directories, resources);
        try
        {
            foreach (var controller in Controllers)
            {
                var controllerRoot = Path.Combine(root, controller);
                if (!Directory.Exists(controllerRoot) || !File.Exists(Path.Combine(controllerRoot, "cgroup.procs")))
                {
                    throw new SandboxException($"cgroup v1 controller '{controller}' is not mounted at {controllerRoot}");
                }

                var directory = Path.Combine(controllerRoot, parentName, instanceId);
                if (Directory.Exists(directory))
                {
                    throw new SandboxException($"cgroup {directory} already exists: instance {instanceId} is running or was not cleaned up");
                }

                Directory.CreateDirectory(directory);
                directories[controller] = directory;
            }

            // CPU time is cpuacct's: in the cpu directory when the two are mounted together (cpu,cpuacct), else a
            // hierarchy of its own, joined only for the accounting. Without it the usage has no CPU time.
            var cpuacctRoot = Path.Combine(root, "cpuacct");
            if (!File.Exists(Path.Combine(directories["cpu"], "cpuacct.usage")) && File.Exists(Path.Combine(cpuacctRoot, "cgroup.procs")))
            {
                var directory = Path.Combine(cpuacctRoot, parentName, instanceId);
                if (Directory.Exists(directory))
                {
                    throw new SandboxException($"cgroup {directory} already exists: instance {instanceId} is running or was not cleaned up");
                }

                Directory.CreateDirectory(directory);
                directories["cpuacct"] = directory;
            }

            cgroup.ApplyLimits(resources);
            return cgroup;
        }
        catch (Exception exception) when (exception is not SandboxException)
        {
            cgroup.DeleteAsync().GetAwaiter().GetResult();
            throw new SandboxException($"Could not create the cgroups of {instanceId}: {exception.Message}", exception);
        }
        catch
        {
            cgroup.DeleteAsync().GetAwaiter().GetResult();
            throw;
        }
    }

    public override async Task FreezeAsync(CancellationToken cancellationToken = default)
    {
        // The kernel may stay in FREEZING when a task is in an uninterruptible wait; rewriting FROZEN retries.
        await WaitUntilAsync(
            () =>
            {
                Write(FreezerState, "FROZEN");
                return File.ReadAllText(FreezerState).Trim() == "FROZEN";
            },
            "the freezer to reach FROZEN",
            cancellationToken);
    }

    public override Task ThawAsync(CancellationToken cancellationToken = default)
    {
        Write(FreezerState, "THAWED");
        return WaitUntilAsync(() => File.ReadAllText(FreezerState).Trim() == "THAWED", "the freezer to reach THAWED", cancellationToken);
    }

    public override long OomKillCount()
    {
        var oomControl = Path.Combine(Memory, "memory.oom_control");
        var kills = ReadKeyedValue(oomControl, "oom_kill");

        // Kernels before 4.13 have no oom_kill counter; under_oom at least shows a cgroup stuck at its limit.
        return kills > 0 ? kills : ReadKeyedValue(oomControl, "under_oom");
    }

    public override SandboxUsage ReadUsage()
    {
        var cpuacct = _directories.GetValueOrDefault("cpuacct") ?? _directories["cpu"];
        var cpuUsage = Path.Combine(cpuacct, "cpuacct.usage");
        return new SandboxUsage(
            ReadNumber(Path.Combine(Memory, "memory.usage_in_bytes")),
            ReadNumber(Path.Combine(Memory, "memory.max_usage_in_bytes")),
            File.Exists(cpuUsage) ? TimeSpan.FromTicks(ReadNumber(cpuUsage) / TimeSpan.NanosecondsPerTick) : null,
            (int)ReadNumber(Path.Combine(_directories["pids"], "pids.current")),
            Limits);
    }

    private void ApplyLimits(SandboxResources resources)
    {
        var memory = resources.MemoryBytes.ToString(CultureInfo.InvariantCulture);
        Write(Path.Combine(Memory, "memory.limit_in_bytes"), memory);

        // Without memsw the sandbox could swap its way past the limit; not every kernel has swap accounting.
        var memsw = Path.Combine(Memory, "memory.memsw.limit_in_bytes");
        if (File.Exists(memsw))
        {
            Write(memsw, memory);
        }

        // 0 = OOM killer enabled: a sandbox at its limit is killed instead of hanging in the kernel.
        Write(Path.Combine(Memory, "memory.oom_control"), "0");
        Write(Path.Combine(_directories["pids"], "pids.max"), resources.PidsLimit.ToString(CultureInfo.InvariantCulture));
        Write(Path.Combine(_directories["cpu"], "cpu.cfs_period_us"), CpuPeriodMicroseconds.ToString(CultureInfo.InvariantCulture));
        Write(Path.Combine(_directories["cpu"], "cpu.cfs_quota_us"), CpuQuota(resources.CpuCores, CpuPeriodMicroseconds));
    }
}
