namespace Aegis.Sandbox;

/// <summary>
/// What a sandbox uses right now, as its cgroup accounts it (see <see cref="ISandbox.ReadUsage"/>), with the limits it runs
/// under for context.
/// </summary>
/// <param name="MemoryBytes">Memory in use by the sandbox's processes, page cache and tmpfs files included: bwrap reads
/// the sandbox's memory cgroup; qemu has the guest agent's report on the command's cgroup inside the VM (about once a
/// second; before the first, the VMM's resident set, which is about the whole guest RAM).</param>
/// <param name="MemoryPeakBytes">The most <paramref name="MemoryBytes"/> has been since the sandbox started; null when the
/// host does not record it (cgroup v2 before Linux 5.19).</param>
/// <param name="CpuTime">CPU time used since the sandbox started, user and system, all CPUs; null when the host does not
/// account it (cgroup v1 without the cpuacct controller).</param>
/// <param name="Processes">Processes and threads in the sandbox, as the pids limit counts them; null when the backend
/// cannot see inside (qemu before the guest's first report).</param>
/// <param name="Limits">The limits the sandbox was started with.</param>
public sealed record SandboxUsage(long MemoryBytes, long? MemoryPeakBytes, TimeSpan? CpuTime, int? Processes, SandboxResources Limits);
