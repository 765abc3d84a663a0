using System.Net;

namespace Aegis.Sandbox;

/// <summary>
/// One running sandbox. Disposing it terminates it (short grace) and removes everything the backend created for
/// it; the workspace and the log files stay.
/// </summary>
public interface ISandbox : IAsyncDisposable
{
    /// <summary>The instance id from the spec.</summary>
    string Id { get; }

    /// <summary>The current lifecycle state.</summary>
    SandboxState State { get; }

    /// <summary>The host pid of the process that represents the sandbox (the outer bwrap, the VMM).</summary>
    int Pid { get; }

    /// <summary>Where the host reaches the sandbox's exposed port (port 80 inside).</summary>
    IPEndPoint Endpoint { get; }

    /// <summary>
    /// The current file of the sandbox's stdout/stderr log. Older content rotates to <c>LogPath.1</c>,
    /// <c>LogPath.2</c>, ...; the files stay after the sandbox is gone.
    /// </summary>
    string LogPath { get; }

    /// <summary>
    /// True while a guest agent is connected to the sandbox's control channel (see docs/control-channel.md). Then
    /// <see cref="TerminateAsync"/> asks it to shut down before any signal is sent.
    /// </summary>
    bool ControlConnected { get; }

    /// <summary>
    /// Asks the connected guest for its health over the control channel. Null when no guest is connected or it did not
    /// answer within <paramref name="timeout"/>.
    /// </summary>
    Task<SandboxHealth?> QueryHealthAsync(TimeSpan timeout, CancellationToken cancellationToken = default);

    /// <summary>
    /// What the sandbox uses now: memory, CPU time, processes (bwrap reads its cgroup, a few small files, cheap enough to
    /// call per request; qemu returns the guest agent's last report, at most about a second old). A paused sandbox still
    /// reports its memory. Null once the sandbox has ended.
    /// </summary>
    SandboxUsage? ReadUsage();

    /// <summary>Completes once the sandbox has exited and its host resources have been released.</summary>
    Task<SandboxExit> Exited { get; }

    /// <summary>Freezes every process of the sandbox; returns when all of them are frozen.</summary>
    /// <exception cref="InvalidOperationException">The sandbox is not running.</exception>
    Task PauseAsync(CancellationToken cancellationToken = default);

    /// <summary>Thaws a paused sandbox; returns when it runs again.</summary>
    /// <exception cref="InvalidOperationException">The sandbox is not paused.</exception>
    Task ResumeAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Stops the sandbox and waits until all host resources are released. Idempotent. When a guest is connected to the
    /// control channel it is sent <c>shutdown</c> and given <paramref name="grace"/> to exit by itself (the exit then
    /// reports <see cref="SandboxExitReason.Exited"/>); then the main process gets SIGTERM (or the backend's
    /// equivalent) and another <paramref name="grace"/>; then everything left is killed.
    /// </summary>
    Task<SandboxExit> TerminateAsync(TimeSpan grace, CancellationToken cancellationToken = default);
}
