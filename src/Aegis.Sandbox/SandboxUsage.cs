namespace Aegis.Sandbox;

/// <summary>
/// What a sandbox uses right now, as the host sees it (see <see cref="ISandbox.ReadUsage"/>), with the limits it runs
/// under for context.
/// </summary>
/// <param name="MemoryBytes">Memory in use: the bwrap sandbox's memory cgroup (its processes' memory, page cache and
/// tmpfs files included); a qemu sandbox's VMM resident set (guest RAM the guest has touched, which soon after boot is
/// all of it, plus QEMU itself): the VM's footprint on the host, not what the app uses inside.</param>
/// <param name="MemoryPeakBytes">The most <paramref name="MemoryBytes"/> has been since the sandbox started; null when the
/// host does not record it (cgroup v2 before Linux 5.19).</param>
/// <param name="CpuTime">CPU time used since the sandbox started, user and system, all CPUs; null when the host does not
/// account it (cgroup v1 without the cpuacct controller).</param>
/// <param name="Processes">Processes and threads in the sandbox, as the pids limit counts them; null when the backend
/// cannot see inside (qemu: the guest's processes are the guest kernel's).</param>
/// <param name="Limits">The limits the sandbox was started with.</param>
public sealed record SandboxUsage(long MemoryBytes, long? MemoryPeakBytes, TimeSpan? CpuTime, int? Processes, SandboxResources Limits);
