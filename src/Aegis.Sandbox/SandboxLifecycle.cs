using System.Net;
using Aegis.Sandbox.Control;
using Microsoft.Extensions.Logging;

namespace Aegis.Sandbox;

/// <summary>
/// What every backend's sandbox shares: its state, the one lock that serializes pause, resume and the steps of
/// terminate, and terminate's escalation: out of pause, the guest's own shutdown over the control channel, SIGTERM to
/// the command, and the kill, each given the grace. A backend supplies how to freeze, thaw, signal and kill, and its
/// monitor (which owns the end of the sandbox's life) calls <see cref="MarkReleased"/> when everything is cleaned up.
/// </summary>
public abstract partial class SandboxLifecycle : ISandbox
{
    private readonly SemaphoreSlim _lifecycle = new(1, 1);
    private int _state = (int)SandboxState.Booting;
    private int _terminateRequested;
    private int _signalled;
    private volatile bool _released;

    private protected SandboxLifecycle(string id, SandboxControlChannel control, TimeProvider timeProvider, ILogger logger)
    {
        Id = id;
        Control = control;
        TimeProvider = timeProvider;
        Logger = logger;
    }

    public string Id { get; }

    public SandboxState State => (SandboxState)Volatile.Read(ref _state);

    public abstract int Pid { get; }

    public abstract IPEndPoint Endpoint { get; }

    public abstract string LogPath { get; }

    public abstract Task<SandboxExit> Exited { get; }

    public bool ControlConnected => !_released && Control.Connected;

    private protected SandboxControlChannel Control { get; }

    protected TimeProvider TimeProvider { get; }

    protected ILogger Logger { get; }

    /// <summary>Serializes pause, resume, the kill step of terminate, the snapshot and the monitor's cleanup.</summary>
    protected SemaphoreSlim Lifecycle => _lifecycle;

    /// <summary>The monitor has released everything (under <see cref="Lifecycle"/>): nothing is left to freeze or kill.</summary>
    protected bool Released => _released;

    /// <summary>Whether aegis, not the command itself, ended it (signal, kill, snapshot): the exit reads "terminated".</summary>
    protected bool Signalled => Volatile.Read(ref _signalled) == 1;

    /// <summary>How long <see cref="DisposeAsync"/> gives the sandbox to end by itself.</summary>
    protected abstract TimeSpan DisposeGrace { get; }

    public Task<SandboxHealth?> QueryHealthAsync(TimeSpan timeout, CancellationToken cancellationToken = default) =>
        ControlConnected ? Control.QueryHealthAsync(timeout, TimeProvider, cancellationToken) : Task.FromResult<SandboxHealth?>(null);

    public SandboxUsage? ReadUsage()
    {
        if (_released)
        {
            return null;
        }

        try
        {
            return ReadUsageCore();
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or FormatException)
        {
            // Ending right now: its cgroup or /proc entry went while it was read.
            return null;
        }
    }

    public Task PauseAsync(CancellationToken cancellationToken = default) =>
        ChangeStateAsync(SandboxState.Running, SandboxState.Paused, FreezeAsync, Paused, cancellationToken);

    public Task ResumeAsync(CancellationToken cancellationToken = default) =>
        ChangeStateAsync(SandboxState.Paused, SandboxState.Running, ThawAsync, Resumed, cancellationToken);

    public async Task<SandboxExit> TerminateAsync(TimeSpan grace, CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _terminateRequested, 1) == 0 && !Exited.IsCompleted)
        {
            // A frozen sandbox can act neither on shutdown nor on SIGTERM.
            await ThawForTerminateAsync(cancellationToken);

            // A guest on the control channel gets to shut down by itself first; its exit then counts as its own.
            if (grace > TimeSpan.Zero && ControlConnected && await Control.RequestShutdownAsync(grace, cancellationToken))
            {
                ShutdownRequested(Logger, Id, grace);
                await Task.WhenAny(Exited, Task.Delay(grace, TimeProvider, cancellationToken));
            }

            if (!Exited.IsCompleted)
            {
                MarkSignalled();
                await SignalCommandAsync(grace, cancellationToken);
                if (grace > TimeSpan.Zero)
                {
                    await Task.WhenAny(Exited, Task.Delay(grace, TimeProvider, cancellationToken));
                }
            }

            if (!Exited.IsCompleted)
            {
                Killing(Logger, Id);
                MarkSignalled();
                await KillAsync(cancellationToken);
            }
        }

        return await Exited.WaitAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        await TerminateAsync(DisposeGrace);
        _lifecycle.Dispose();
        await DisposeCoreAsync();
        GC.SuppressFinalize(this);
    }

    /// <summary>Pause or resume: under the lifecycle lock, from one state to the other, or refused.</summary>
    private async Task ChangeStateAsync(SandboxState from, SandboxState to, Func<CancellationToken, Task> change, Action<ILogger, string> changed, CancellationToken cancellationToken)
    {
        await _lifecycle.WaitAsync(cancellationToken);
        try
        {
            if (State != from)
            {
                throw new InvalidOperationException($"Sandbox {Id} is {State}, not {from}");
            }

            await change(cancellationToken);
            TryChangeState(from, to);
            changed(Logger, Id);
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    /// <summary>The backend's reading of <see cref="ReadUsage"/> while the sandbox is not released; null when there is nothing
    /// to read (the process is gone). IO and format errors mean the same.</summary>
    protected abstract SandboxUsage? ReadUsageCore();

    /// <summary>Stops every process of the sandbox where it is (cgroup freezer, QMP <c>stop</c>). Called under the lock.</summary>
    protected abstract Task FreezeAsync(CancellationToken cancellationToken);

    /// <summary>Lets them run again. Called under the lock.</summary>
    protected abstract Task ThawAsync(CancellationToken cancellationToken);

    /// <summary>Asks the command to end (SIGTERM to the sandbox's main process), logging it.</summary>
    protected abstract Task SignalCommandAsync(TimeSpan grace, CancellationToken cancellationToken);

    /// <summary>Ends whatever is left, now.</summary>
    protected abstract Task KillAsync(CancellationToken cancellationToken);

    /// <summary>What the backend disposes after the sandbox has ended (its process handle).</summary>
    protected abstract ValueTask DisposeCoreAsync();

    protected bool TryChangeState(SandboxState from, SandboxState to) =>
        Interlocked.CompareExchange(ref _state, (int)to, (int)from) == (int)from;

    protected void MarkSignalled() => Volatile.Write(ref _signalled, 1);

    /// <summary>The sandbox is ending another way (a snapshot quits it): a later terminate only waits for the exit.</summary>
    protected void MarkTerminateRequested() => Interlocked.Exchange(ref _terminateRequested, 1);

    /// <summary>The monitor's last step, under <see cref="Lifecycle"/>: everything released, the sandbox terminated.</summary>
    protected void MarkReleased()
    {
        _released = true;
        Volatile.Write(ref _state, (int)SandboxState.Terminated);
    }

    private async Task ThawForTerminateAsync(CancellationToken cancellationToken)
    {
        await _lifecycle.WaitAsync(cancellationToken);
        try
        {
            if (!_released && State == SandboxState.Paused)
            {
                await ThawAsync(cancellationToken);
                TryChangeState(SandboxState.Paused, SandboxState.Running);
            }
        }
        catch (SandboxException)
        {
            // Gone already (the VMM died): the kill step and the monitor deal with it.
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    [LoggerMessage(201, LogLevel.Information, "Sandbox {InstanceId} paused")]
    private static partial void Paused(ILogger logger, string instanceId);

    [LoggerMessage(202, LogLevel.Information, "Sandbox {InstanceId} resumed")]
    private static partial void Resumed(ILogger logger, string instanceId);

    [LoggerMessage(203, LogLevel.Information, "Sandbox {InstanceId}: asked the guest to shut down (grace {Grace})")]
    private static partial void ShutdownRequested(ILogger logger, string instanceId, TimeSpan grace);

    [LoggerMessage(204, LogLevel.Warning, "Sandbox {InstanceId} outlived its grace period; killing it")]
    private static partial void Killing(ILogger logger, string instanceId);
}
