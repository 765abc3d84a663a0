namespace Aegis.Sandbox.Bubblewrap.Cgroups;

/// <summary>
/// The cgroup(s) of one sandbox, created below a shared parent (<c>aegis/&lt;instance&gt;</c>). v1 and v2 differ in
/// layout and file names only; the sandbox code sees this one abstraction.
/// </summary>
internal abstract class SandboxCgroup
{
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(10);

    protected SandboxCgroup(SandboxResources limits) => Limits = limits;

    /// <summary>The limits the cgroup was created with.</summary>
    public SandboxResources Limits { get; }

    /// <summary>The <c>cgroup.procs</c> files a process writes its pid into to join every controller.</summary>
    public abstract IReadOnlyList<string> ProcsFiles { get; }

    /// <summary>Every directory this cgroup created, leaf first.</summary>
    public abstract IReadOnlyList<string> Directories { get; }

    /// <summary>True when the unified hierarchy (v2) is mounted at <c>/sys/fs/cgroup</c>.</summary>
    public static bool IsUnifiedHierarchy(string root) => File.Exists(Path.Combine(root, "cgroup.controllers"));

    public static SandboxCgroup Create(string root, string parentName, string instanceId, SandboxResources resources) =>
        IsUnifiedHierarchy(root)
            ? CgroupV2.CreateV2(root, parentName, instanceId, resources)
            : CgroupV1.CreateV1(root, parentName, instanceId, resources);

    /// <summary>Stops every process; returns once the kernel reports all of them frozen.</summary>
    public abstract Task FreezeAsync(CancellationToken cancellationToken = default);

    public abstract Task ThawAsync(CancellationToken cancellationToken = default);

    /// <summary>How many times the OOM killer fired in this cgroup.</summary>
    public abstract long OomKillCount();

    /// <summary>Memory, CPU time and task count as the kernel accounts them for this cgroup now.</summary>
    /// <exception cref="IOException">The cgroup is gone.</exception>
    public abstract SandboxUsage ReadUsage();

    public IReadOnlyList<int> ReadPids()
    {
        var pids = new HashSet<int>();
        foreach (var file in ProcsFiles)
        {
            try
            {
                foreach (var line in File.ReadAllLines(file))
                {
                    if (int.TryParse(line, out var pid))
                    {
                        pids.Add(pid);
                    }
                }
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                // Already removed.
            }
        }

        return [.. pids];
    }

    /// <summary>
    /// SIGKILLs every process in the cgroup and waits until it is empty. The cgroup is frozen while the pids are
    /// read and signalled so a fork bomb cannot add processes faster than they are killed; SIGKILL is delivered
    /// on thaw.
    /// </summary>
    public virtual async Task KillAllAsync(CancellationToken cancellationToken = default)
    {
        var deadline = DateTime.UtcNow + HangGuard;
        while (true)
        {
            var pids = ReadPids();
            if (pids.Count == 0)
            {
                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new SandboxException($"Processes {string.Join(',', pids)} survived SIGKILL");
            }

            await FreezeAsync(cancellationToken);
            foreach (var pid in ReadPids())
            {
                NativeMethods.Signal(pid, NativeMethods.SigKill);
            }

            await ThawAsync(cancellationToken);
            await Task.Delay(PollInterval, cancellationToken);
        }
    }

    /// <summary>Removes the cgroup directories; the cgroup must be empty.</summary>
    public async Task DeleteAsync(CancellationToken cancellationToken = default)
    {
        foreach (var directory in Directories)
        {
            var deadline = DateTime.UtcNow + HangGuard;
            while (Directory.Exists(directory))
            {
                try
                {
                    Directory.Delete(directory);
                }
                catch (IOException) when (DateTime.UtcNow < deadline)
                {
                    // EBUSY while the kernel still releases the last exited tasks.
                    await Task.Delay(PollInterval, cancellationToken);
                }
            }
        }
    }

    protected static async Task WaitUntilAsync(Func<bool> condition, string what, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + HangGuard;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new SandboxException($"Timed out waiting for {what}");
            }

            await Task.Delay(PollInterval, cancellationToken);
        }
    }

    protected static void Write(string path, string value)
    {
        try
        {
            File.WriteAllText(path, value);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            throw new SandboxException($"Could not write '{value}' to {path}: {exception.Message}", exception);
        }
    }

    /// <summary>A file holding one number (<c>memory.usage_in_bytes</c>, <c>pids.current</c>).</summary>
    protected static long ReadNumber(string path) =>
        long.Parse(File.ReadAllText(path).Trim(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture);

    protected static long ReadKeyedValue(string path, string key)
    {
        try
        {
            foreach (var line in File.ReadLines(path))
            {
                var parts = line.Split(' ', 2);
                if (parts.Length == 2 && parts[0] == key && long.TryParse(parts[1], out var value))
                {
                    return value;
                }
            }
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            // Gone: nothing more to count.
        }

        return 0;
    }

    protected static string CpuQuota(decimal cores, int periodMicroseconds) =>
        ((long)Math.Max(1000m, Math.Round(cores * periodMicroseconds))).ToString(System.Globalization.CultureInfo.InvariantCulture);
}
