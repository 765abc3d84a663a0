namespace Aegis.Sandbox;

/// <summary>Why a sandbox ended.</summary>
public enum SandboxExitReason
{
    /// <summary>The main process exited by itself (any exit code, also by a signal it got from inside).</summary>
    Exited,

    /// <summary>The host terminated it (<see cref="ISandbox.TerminateAsync"/> or dispose).</summary>
    Terminated,

    /// <summary>The kernel's OOM killer fired inside the sandbox's memory limit; the whole sandbox was killed.</summary>
    OomKilled,
}
