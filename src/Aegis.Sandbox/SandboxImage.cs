namespace Aegis.Sandbox;

/// <summary>
/// A built image a sandbox boots instead of the host's userland: its <c>usr/</c> (with the merged-/usr links),
/// its <c>/etc</c> configuration files and its <c>opt/</c> become the sandbox's, read-only.
/// </summary>
/// <param name="RootDirectory">
/// Absolute host path of the image's root filesystem, e.g. the <c>rootfs/</c> that <c>images/agent-base/build</c> makes;
/// must hold <c>usr/</c>.
/// </param>
public sealed record SandboxImage(string RootDirectory)
{
    /// <summary>
    /// The image's default environment (e.g. <c>DOTNET_ROOT</c>, <c>PATH</c>). <see cref="SandboxSpec.Environment"/>
    /// is laid over it: a variable both set takes the spec's value.
    /// </summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();
}
