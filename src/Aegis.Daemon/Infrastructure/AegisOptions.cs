using Aegis.Daemon.Images;
using Aegis.Sandbox;

namespace Aegis.Daemon.Infrastructure;

/// <summary>aegisd settings (section "Aegis").</summary>
public sealed record AegisOptions
{
    /// <summary>Registry, keys, token, workspaces, releases and logs live here.</summary>
    public string DataDirectory { get; init; } = "/var/lib/aegis";

    /// <summary>The sandbox backend: <c>bwrap</c> (the default here) or <c>qemu</c> (settings below <c>Aegis:Qemu</c>).</summary>
    public string Backend { get; init; } = "bwrap";

    /// <summary>
    /// The host scheduling policy of sandboxes (<c>Aegis:SandboxScheduling</c>): <c>batch</c> (the default: a waking
    /// agent does not preempt ejabberd, famiglia-web or the router) or <c>normal</c>.
    /// </summary>
    public CpuScheduling SandboxScheduling { get; init; } = CpuScheduling.Batch;

    /// <summary>How long ensure waits for a booting sandbox to become healthy.</summary>
    public TimeSpan BootTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How often live sandboxes are health-checked.</summary>
    public TimeSpan HealthInterval { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>How long one health probe (TCP connect, the guest's health answer) may take before it counts as failed.</summary>
    public TimeSpan HealthTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Grace between the shutdown request and SIGKILL on terminate.</summary>
    public TimeSpan TerminateGrace { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Longest a task (Mode A) may run.</summary>
    public TimeSpan MaxTaskDuration { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// Where each <c>internal_hosts</c> name of a kit leads on the host (<c>Aegis:InternalHosts:ejabberd = 127.0.0.1</c>):
    /// an IP address or a name the host resolves. A name not listed here leads to <see cref="DefaultInternalHostTarget"/>.
    /// </summary>
    public Dictionary<string, string> InternalHosts { get; init; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Port remaps of internal hosts: <c>Aegis:InternalHostPorts:famiglia-web:3000 = 3100</c> lets the sandbox's
    /// <c>famiglia-web:3000</c> lead to port 3100 of the target (a famiglia-web or ejabberd on another port).
    /// </summary>
    public Dictionary<string, Dictionary<string, int>> InternalHostPorts { get; init; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Host-wide limits on what sandboxes may hold at once (<c>Aegis:Quotas</c>); none by default.</summary>
    public HostQuotas Quotas { get; init; } = new();

    /// <summary>The target of internal hosts not in <see cref="InternalHosts"/>: the host's loopback, where ejabberd and famiglia-web listen.</summary>
    public string DefaultInternalHostTarget { get; init; } = "127.0.0.1";

    /// <summary>
    /// Built images sandboxes boot, by the reference kits name in <c>image.base</c>
    /// (<c>Aegis:Images:0:Reference = ghcr.io/famiglia/agent-base:latest</c>, <c>Aegis:Images:0:Path = /srv/images/agent-base</c>).
    /// A kit whose image is not listed runs on the host's /usr.
    /// </summary>
    public List<ImageMapping> Images { get; init; } = [];

    /// <summary>Releases kept per app (<c>Aegis:KeepReleases</c>): after a publish, older ones are deleted (rows and
    /// artifacts) unless a booting, running or paused instance still uses them.</summary>
    public int KeepReleases { get; init; } = 5;

    /// <summary>
    /// The warm pool: how many generic sandboxes to keep started per kit (<c>Aegis:WarmPool:famiglia = 2</c>), ready for
    /// an ensure to claim and specialize (env, workspace, release) instead of booting one; refilled in the background.
    /// None by default, and only on backends that can (bwrap). Pooled sandboxes count against the host quotas.
    /// </summary>
    public Dictionary<string, int> WarmPool { get; init; } = new(StringComparer.Ordinal);

    /// <summary>How long after a claim the pool waits before starting the replacement, so the replacement does not
    /// compete for the CPU with the boot that claim serves (the harness starting, the first request).</summary>
    public TimeSpan WarmPoolRefillDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How long the pool waits before trying again after it failed to start a sandbox.</summary>
    public TimeSpan WarmPoolRetry { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Largest release archive accepted.</summary>
    public long MaxReleaseBytes { get; init; } = 256L * 1024 * 1024;

    internal string RegistryPath => Path.Combine(DataDirectory, "registry.db");

    internal string TokenPath => Path.Combine(DataDirectory, "token");

    internal string SecretsKeyPath => Path.Combine(DataDirectory, "secrets.key");

    internal string KitsDirectory => Path.Combine(DataDirectory, "kits");

    internal string AppsDirectory => Path.Combine(DataDirectory, "apps");

    internal string TasksDirectory => Path.Combine(DataDirectory, "tasks");

    /// <summary>A marker per pooled sandbox (its id), so a restarted aegisd removes what a killed one left in the pool.</summary>
    internal string PoolDirectory => Path.Combine(DataDirectory, "pool");
}

/// <summary>
/// Limits over all instances that are booting, running or paused: how many (<c>Aegis:Quotas:MaxInstances</c>) and how
/// much memory their kits reserve (<c>Aegis:Quotas:MaxMemory</c>, e.g. <c>8gb</c>). A boot past either is refused with a
/// 503 naming the limit; a paused instance still holds its memory, a terminated one does not.
/// </summary>
public sealed record HostQuotas
{
    public int? MaxInstances { get; init; }

    public string? MaxMemory { get; init; }
}
