namespace Aegis.Sandbox.Bubblewrap;

/// <summary>Host-side settings of the bubblewrap backend. Defaults fit a Debian host running aegisd as root.</summary>
public sealed record BubblewrapOptions
{
    public string BwrapPath { get; init; } = "/usr/bin/bwrap";

    /// <summary>The host scheduling policy of the sandboxes' processes (<see cref="CpuScheduling.Batch"/> by default).</summary>
    public CpuScheduling Scheduling { get; init; } = CpuScheduling.Batch;

    /// <summary>Where the cgroup filesystem is mounted; v2 when it holds <c>cgroup.controllers</c>, v1 otherwise.</summary>
    public string CgroupRoot { get; init; } = "/sys/fs/cgroup";

    /// <summary>Parent cgroup (in every v1 controller) below which each sandbox gets <c>&lt;instance&gt;</c>.</summary>
    public string CgroupParent { get; init; } = "aegis";

    /// <summary>First two octets of the sandbox links: sandbox N gets <c>prefix.N.0/30</c>.</summary>
    public string SubnetPrefix { get; init; } = "10.201";

    /// <summary>Per-sandbox generated files (hosts, passwd); removed on terminate.</summary>
    public string RuntimeDirectory { get; init; } = "/run/aegis/sandboxes";

    /// <summary>Per-sandbox stdout/stderr logs <c>&lt;instance&gt;.log</c>; kept after terminate.</summary>
    public string LogDirectory { get; init; } = "/var/log/aegis/sandboxes";

    public long LogFileBytes { get; init; } = 1024 * 1024;

    public int LogFiles { get; init; } = 3;

    /// <summary>The uid/gid the sandboxed process runs as inside its user namespace (mapped to the host's root).</summary>
    public int SandboxUid { get; init; } = 1000;

    /// <summary>How often the OOM counter is checked while a sandbox runs.</summary>
    public TimeSpan OomPollInterval { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Grace between SIGTERM and SIGKILL when a sandbox is disposed without an explicit terminate.</summary>
    public TimeSpan DisposeGrace { get; init; } = TimeSpan.FromSeconds(2);
}
