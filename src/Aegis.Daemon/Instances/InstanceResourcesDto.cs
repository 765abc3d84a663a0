using Aegis.Sandbox;

namespace Aegis.Daemon.Instances;

/// <summary>
/// What a live instance's sandbox uses now, next to the limits it runs under; null on an instance without a sandbox
/// (ended, or one whose sandbox is gone). Memory includes page cache and tmpfs files (bwrap: the memory cgroup's usage);
/// CPU is seconds since the sandbox started, all cores; processes count threads too, as the limit does. On qemu they
/// are the guest's (its agent reports the command's cgroup about once a second); in a VM's first second, before that
/// report, the VMM's (QEMU's resident set, about the whole guest RAM) with processes null.
/// </summary>
public sealed record InstanceResourcesDto(
    long MemoryBytes, long? MemoryPeakBytes, long MemoryLimitBytes, double? CpuSeconds, decimal CpuLimitCores, int? Processes, int ProcessesLimit)
{
    internal static InstanceResourcesDto? From(SandboxUsage? usage) => usage is null ? null : new(
        usage.MemoryBytes, usage.MemoryPeakBytes, usage.Limits.MemoryBytes, usage.CpuTime?.TotalSeconds, usage.Limits.CpuCores,
        usage.Processes, usage.Limits.PidsLimit);
}
