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

    /// <summary>
    /// Removes whatever a sandbox of <paramref name="instanceId"/> left on the host when its owner died without
    /// cleaning up (aegisd killed with SIGKILL): its processes, cgroups, network namespace, links and runtime files.
    /// Touches nothing of other instances. Returns a line per thing removed.
    /// </summary>
    Task<IReadOnlyList<string>> RemoveLeftoversAsync(string instanceId, CancellationToken cancellationToken = default);
}
