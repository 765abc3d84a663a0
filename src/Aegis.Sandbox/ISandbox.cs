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

    /// <summary>Completes once the sandbox has exited and its host resources have been released.</summary>
    Task<SandboxExit> Exited { get; }

    /// <summary>Freezes every process of the sandbox; returns when all of them are frozen.</summary>
    /// <exception cref="InvalidOperationException">The sandbox is not running.</exception>
    Task PauseAsync(CancellationToken cancellationToken = default);

    /// <summary>Thaws a paused sandbox; returns when it runs again.</summary>
    /// <exception cref="InvalidOperationException">The sandbox is not paused.</exception>
    Task ResumeAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Asks the sandbox's main process to stop (SIGTERM or the backend's equivalent), kills everything left after
    /// <paramref name="grace"/>, and waits until all host resources are released. Idempotent.
    /// </summary>
    Task<SandboxExit> TerminateAsync(TimeSpan grace, CancellationToken cancellationToken = default);
}
