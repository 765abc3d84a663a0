namespace Aegis.Sandbox;

/// <summary>
/// Starts isolated sandboxes. One implementation per isolation technology (bubblewrap, QEMU microVM, Firecracker);
/// aegisd picks one by configuration and by what <see cref="ProbeAsync"/> says the host offers.
/// </summary>
public interface ISandboxBackend
{
    /// <summary>The configuration name of the backend: <c>bwrap</c>, <c>qemu</c>, <c>firecracker</c>.</summary>
    string Name { get; }

    /// <summary>Checks whether the backend can run sandboxes on this host (tools present, privileges, kernel features).</summary>
    Task<SandboxProbeResult> ProbeAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Boots a sandbox for <paramref name="spec"/> and returns once its command has been started. Everything the
    /// backend created is removed again when the start fails.
    /// </summary>
    /// <exception cref="SandboxException">The host refused a step (cgroup, network, process start).</exception>
    Task<ISandbox> StartAsync(SandboxSpec spec, CancellationToken cancellationToken = default);

    /// <summary>True when <see cref="PrepareAsync"/> works: sandboxes can be started before anyone asks and claimed later
    /// (the warm pool). bwrap yes; qemu no (its release and workspace disks cannot be attached to a booted microvm).</summary>
    bool SupportsPreparation { get; }

    /// <summary>Starts a generic sandbox from <paramref name="template"/> for a later <see cref="IPreparedSandbox.ClaimAsync"/>.</summary>
    /// <exception cref="NotSupportedException">The backend cannot (<see cref="SupportsPreparation"/>).</exception>
    /// <exception cref="SandboxException">The host refused a step; everything created is removed again.</exception>
    Task<IPreparedSandbox> PrepareAsync(SandboxTemplate template, CancellationToken cancellationToken = default);

    /// <summary>
    /// True when <see cref="SnapshotAsync"/> and <see cref="RestoreAsync"/> work: memory snapshots, every process
    /// continuing where it was (qemu). bwrap has none: CRIU does not work on this kernel.
    /// </summary>
    bool SupportsSnapshots { get; }

    /// <summary>
    /// Saves <paramref name="sandbox"/> (running or paused, started by this backend) to <paramref name="directory"/> (new
    /// or empty, absolute) and ends it: the sandbox's exit follows as after a terminate, its workspace is on the host.
    /// On failure the sandbox is left as it was.
    /// </summary>
    /// <exception cref="NotSupportedException">The backend has no snapshots (<see cref="SupportsSnapshots"/>).</exception>
    /// <exception cref="SandboxException">The snapshot could not be written.</exception>
    Task<SandboxSnapshot> SnapshotAsync(ISandbox sandbox, string directory, CancellationToken cancellationToken = default);

    /// <summary>
    /// Starts <paramref name="spec"/>'s instance from the snapshot in <paramref name="directory"/>: the processes of the
    /// snapshotted sandbox go on where they were (their command and environment are the snapshot's; the spec gives the
    /// network, internal hosts and log). The snapshot is consumed when the restore succeeds.
    /// </summary>
    /// <exception cref="NotSupportedException">The backend has no snapshots (<see cref="SupportsSnapshots"/>).</exception>
    /// <exception cref="SandboxException">The snapshot is unusable or the sandbox did not come back; nothing runs then.</exception>
    Task<ISandbox> RestoreAsync(SandboxSpec spec, string directory, CancellationToken cancellationToken = default);

    /// <summary>
    /// The release whose artifacts were at <paramref name="releaseDirectory"/> is gone (pruned by retention, or its app
    /// deleted): drops what the backend made from it (qemu: the release disk). No sandbox of it may be running, and no
    /// snapshot of one can be restored afterwards. Returns a line per thing removed.
    /// </summary>
    Task<IReadOnlyList<string>> ForgetReleaseAsync(string releaseDirectory, CancellationToken cancellationToken = default);

    /// <summary>
    /// Removes whatever a sandbox of <paramref name="instanceId"/> left on the host when its owner died without
    /// cleaning up (aegisd killed with SIGKILL): its processes, cgroups, network namespace, links and runtime files.
    /// Touches nothing of other instances. Returns a line per thing removed.
    /// </summary>
    Task<IReadOnlyList<string>> RemoveLeftoversAsync(string instanceId, CancellationToken cancellationToken = default);
}
