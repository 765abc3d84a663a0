namespace Aegis.Sandbox;

/// <summary>Lifecycle of a sandbox: <c>Booting → Running ⇄ Paused → Terminated</c>.</summary>
public enum SandboxState
{
    Booting,
    Running,
    Paused,

    /// <summary>All processes are gone and the host resources are released.</summary>
    Terminated,
}
