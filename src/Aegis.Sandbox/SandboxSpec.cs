namespace Aegis.Sandbox;

/// <summary>What to run in a sandbox and with which limits.</summary>
/// <param name="InstanceId">Unique id of the instance; letters, digits, <c>-</c>, <c>_</c>, <c>.</c>, at most 64 characters.</param>
/// <param name="AppId">The app the instance belongs to.</param>
/// <param name="Command">The program to run inside (absolute path or a name on the sandbox's PATH).</param>
/// <param name="WorkspaceDirectory">Host directory mounted read-write at <c>/workspace</c>; must exist.</param>
public sealed record SandboxSpec(string InstanceId, string AppId, string Command, string WorkspaceDirectory)
{
    /// <summary>Arguments of <see cref="Command"/>.</summary>
    public IReadOnlyList<string> Arguments { get; init; } = [];

    /// <summary>
    /// The complete environment of the sandboxed process (rendered env + secrets), over the defaults of
    /// <see cref="Image"/> if any. Nothing of the host's environment is passed; a default <c>PATH</c> is added only when
    /// neither this nor the image sets one.
    /// </summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    /// <summary>
    /// The image the sandbox boots: its <c>/usr</c>, <c>/etc</c> files and <c>/opt</c> instead of the host's. Null: the
    /// host's <c>/usr</c> and <c>/etc</c> files, read-only.
    /// </summary>
    public SandboxImage? Image { get; init; }

    /// <summary>
    /// A release's artifact directory, mounted at <c>/agent</c> (spec §4: the agent's code, e.g.
    /// <c>/agent/index.js</c>); shared, unchanged, by every instance of the release. Read-only unless
    /// <see cref="InstanceLayerDirectory"/> is set. Null: no <c>/agent</c>.
    /// </summary>
    public string? ReleaseDirectory { get; init; }

    /// <summary>
    /// The instance layer (AEGIS.md snapshot tiers): a host directory whose <c>upper/</c> holds what the instance
    /// changed in <c>/agent</c>, over the untouched <see cref="ReleaseDirectory"/>; created if missing, kept after the
    /// sandbox ends, so a later sandbox given the same directory sees those changes. bwrap mounts it as an overlayfs
    /// layer; backends without layers (qemu: the release is a read-only disk) ignore it. Null: <c>/agent</c> is read-only.
    /// </summary>
    public string? InstanceLayerDirectory { get; init; }

    /// <summary>Host directory mounted read-write at <c>/canvas</c>; defaults to <c>canvas</c> inside the workspace (created if missing).</summary>
    public string? CanvasDirectory { get; init; }

    /// <summary>
    /// Host services the sandbox reaches by name (the kit's <c>internal_hosts</c>), one entry per name and port,
    /// whatever <see cref="SandboxNetwork.Egress"/> says. Ports of a name that are not listed stay unreachable.
    /// </summary>
    public IReadOnlyList<InternalHost> InternalHosts { get; init; } = [];

    public SandboxResources Resources { get; init; } = new();

    public SandboxNetwork Network { get; init; } = new();
}
