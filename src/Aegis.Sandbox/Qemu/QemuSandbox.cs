using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Aegis.Sandbox.Control;
using Aegis.Sandbox.Logging;
using Microsoft.Extensions.Logging;

namespace Aegis.Sandbox.Qemu;

/// <summary>
/// One microVM. A single monitor task owns the end of its life: it waits for QEMU to exit, copies the share disks back
/// to their host directories (or hands them to a snapshot), and removes the runtime directory before
/// <see cref="Exited"/> completes. Pause, resume, snapshot and the kill step of terminate are serialized by one lock.
/// </summary>
public sealed partial class QemuSandbox : ISandbox
{
    private readonly Process _process;
    private readonly QmpClient _qmp;
    private readonly GuestLink _link;
    private readonly Socket _logListener;
    private readonly SandboxControlChannel _control;
    private readonly RotatingLogFile _log;
    private readonly QemuPaths _paths;
    private readonly QemuMachine _machine;
    private readonly IReadOnlyList<ShareDisk> _shares;
    private readonly JsonObject? _run;
    private readonly Func<string> _vmmOutput;
    private readonly QemuOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _lifecycle = new(1, 1);
    private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Task _logPump;
    private int _state = (int)SandboxState.Booting;
    private int _terminateRequested;
    private int _signalled;
    private int _runSent;
    private bool _released;
    private (int Code, bool OomKilled)? _guestExit;
    private QemuSnapshot? _snapshot;
    private TaskCompletionSource? _synced;

    internal QemuSandbox(
        string id,
        Process process,
        QmpClient qmp,
        GuestLink link,
        Socket logListener,
        SandboxControlChannel control,
        RotatingLogFile log,
        QemuPaths paths,
        QemuMachine machine,
        IReadOnlyList<ShareDisk> shares,
        IPEndPoint endpoint,
        IPEndPoint forward,
        JsonObject? run,
        bool restored,
        Func<string> vmmOutput,
        QemuOptions options,
        TimeProvider timeProvider,
        ILogger logger)
    {
        Id = id;
        _process = process;
        _qmp = qmp;
        _link = link;
        _logListener = logListener;
        _control = control;
        _log = log;
        _paths = paths;
        _machine = machine;
        _shares = shares;
        _run = run;
        _vmmOutput = vmmOutput;
        _options = options;
        _timeProvider = timeProvider;
        _logger = logger;
        Pid = process.Id;
        Endpoint = endpoint;
        _forward = forward;
        if (restored)
        {
            // The command runs since before the snapshot.
            _runSent = 1;
            _started.TrySetResult();
        }

        _logPump = PumpLogAsync();
        _link.Start(OnGuestMessageAsync);
        Exited = MonitorAsync();
    }

    public string Id { get; }

    public SandboxState State => (SandboxState)Volatile.Read(ref _state);

    /// <summary>The QEMU process.</summary>
    public int Pid { get; }

    /// <summary>127.0.0.1 and the host port QEMU forwards to the guest's exposed port.</summary>
    public IPEndPoint Endpoint { get; }

    public string LogPath => _log.Path;

    public Task<SandboxExit> Exited { get; }

    public bool ControlConnected => !_released && _control.Connected;

    /// <summary><c>kvm</c> or <c>tcg</c>.</summary>
    public string Accelerator => _machine.Accelerator;

    /// <summary>Guest RAM in MiB.</summary>
    public long MemoryMiB => _machine.MemoryMiB;

    internal string RuntimeDirectory => _paths.Directory;

    public Task<SandboxHealth?> QueryHealthAsync(TimeSpan timeout, CancellationToken cancellationToken = default) =>
        ControlConnected ? _control.QueryHealthAsync(timeout, _timeProvider, cancellationToken) : Task.FromResult<SandboxHealth?>(null);

    public async Task PauseAsync(CancellationToken cancellationToken = default)
    {
        await _lifecycle.WaitAsync(cancellationToken);
        try
        {
            if (State != SandboxState.Running)
            {
                throw new InvalidOperationException($"Sandbox {Id} is {State}, not Running");
            }

            await _qmp.ExecuteAsync("stop", null, cancellationToken);
            TryChangeState(SandboxState.Running, SandboxState.Paused);
            QemuLog.Paused(_logger, Id);
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    public async Task ResumeAsync(CancellationToken cancellationToken = default)
    {
        await _lifecycle.WaitAsync(cancellationToken);
        try
        {
            if (State != SandboxState.Paused)
            {
                throw new InvalidOperationException($"Sandbox {Id} is {State}, not Paused");
            }

            await _qmp.ExecuteAsync("cont", null, cancellationToken);
            TryChangeState(SandboxState.Paused, SandboxState.Running);
            QemuLog.Resumed(_logger, Id);
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    public async Task<SandboxExit> TerminateAsync(TimeSpan grace, CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _terminateRequested, 1) == 0 && !Exited.IsCompleted)
        {
            // A stopped VM can act neither on shutdown nor on SIGTERM.
            await ContinueForTerminateAsync(cancellationToken);

            if (grace > TimeSpan.Zero && ControlConnected && await _control.RequestShutdownAsync(grace, cancellationToken))
            {
                QemuLog.ShutdownRequested(_logger, Id, grace);
                await Task.WhenAny(Exited, Task.Delay(grace, _timeProvider, cancellationToken));
            }

            if (!Exited.IsCompleted)
            {
                QemuLog.Terminating(_logger, Id, grace);
                Volatile.Write(ref _signalled, 1);
                await ((Task)_link.SendAsync(new JsonObject { ["type"] = "signal", ["signal"] = 15 }, cancellationToken)
                    .WaitAsync(TimeSpan.FromSeconds(1), cancellationToken)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                if (grace > TimeSpan.Zero)
                {
                    await Task.WhenAny(Exited, Task.Delay(grace, _timeProvider, cancellationToken));
                }
            }

            if (!Exited.IsCompleted)
            {
                QemuLog.Killing(_logger, Id);
                Volatile.Write(ref _signalled, 1);
                await StopVmAsync();
            }
        }

        return await Exited.WaitAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        await TerminateAsync(_options.DisposeGrace);
        _lifecycle.Dispose();
        _process.Dispose();
    }

    internal async Task WaitStartedAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var done = await Task.WhenAny(_started.Task, Exited, Task.Delay(timeout, _timeProvider, cancellationToken));
        if (done == _started.Task)
        {
            TryChangeState(SandboxState.Booting, SandboxState.Running);
            return;
        }

        cancellationToken.ThrowIfCancellationRequested();
        throw new SandboxException(done == Exited
            ? $"Sandbox {Id} stopped before its command started: {BootFailure()}"
            : $"Sandbox {Id} did not start its command within {timeout.TotalSeconds:0} s: {BootFailure()}");
    }

    /// <summary>Waits for the incoming migration to finish (QEMU then runs the guest) and reconnects with the agent.</summary>
    internal async Task WaitRestoredAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = _timeProvider.GetUtcNow() + timeout;
        while (true)
        {
            var status = (await _qmp.ExecuteAsync("query-status", null, cancellationToken))?["status"]?.GetValue<string>();
            if (status == "running")
            {
                break;
            }

            if (status == "paused")
            {
                // The migration is in; QEMU keeps the run state of the source, which was stopped for the snapshot.
                await _qmp.ExecuteAsync("cont", null, cancellationToken);
                continue;
            }

            if (Exited.IsCompleted || _timeProvider.GetUtcNow() > deadline)
            {
                throw new SandboxException($"Sandbox {Id} did not come back from its snapshot (status {status}): {BootFailure()}");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(20), _timeProvider, cancellationToken);
        }

        TryChangeState(SandboxState.Booting, SandboxState.Running);

        // The agent answers with its state; a guest program that was connected to the control channel is reconnected.
        await _link.SendAsync(new JsonObject { ["type"] = "hello", ["time"] = _timeProvider.GetUtcNow().ToUnixTimeMilliseconds() }, cancellationToken);
    }

    private async Task OnGuestMessageAsync(JsonObject message)
    {
        switch ((string?)message["type"])
        {
            case "ready" when _run is not null && Interlocked.Exchange(ref _runSent, 1) == 0:
                _run["time"] = _timeProvider.GetUtcNow().ToUnixTimeMilliseconds();
                await _link.SendAsync(_run);
                break;
            case "started":
                _started.TrySetResult();
                break;
            case "exit":
                try
                {
                    _guestExit = ((int)message["code"]!, (bool?)message["oomKilled"] ?? false);
                }
                catch (Exception exception) when (exception is InvalidOperationException or FormatException or NullReferenceException)
                {
                    QemuLog.GuestMisbehaved(_logger, Id, "an exit message without a code");
                }

                _ = EnsureVmEndsAsync();
                break;
            case "control-open":
                await OpenBridgeAsync();
                break;
            case "control-close":
                CloseBridge();
                break;
            case "control" when message["line"] is JsonValue line && line.TryGetValue<string>(out var text):
                await WriteBridgeAsync(text);
                break;
            case "state":
                if ((bool?)message["control"] == true && !BridgeOpen)
                {
                    await OpenBridgeAsync();
                }

                await SetPortOpenAsync((bool?)message["port"] == true);
                break;
            case "port":
                await SetPortOpenAsync((bool?)message["open"] == true);
                break;
            case "synced":
                _synced?.TrySetResult();
                break;
            default:
                break;
        }
    }

    /// <summary>After the guest reported its exit it resets the VM; a guest that does not is stopped.</summary>
    private async Task EnsureVmEndsAsync()
    {
        await Task.WhenAny(Exited, Task.Delay(TimeSpan.FromSeconds(5), _timeProvider));
        if (!Exited.IsCompleted)
        {
            await StopVmAsync();
        }
    }

    private async Task StopVmAsync()
    {
        try
        {
            await _qmp.ExecuteAsync("quit", null).WaitAsync(TimeSpan.FromSeconds(2));
        }
        catch (Exception exception) when (exception is SandboxException or TimeoutException or ObjectDisposedException)
        {
            // Killed below.
        }

        if (await Task.WhenAny(Exited, Task.Delay(TimeSpan.FromSeconds(3), _timeProvider)) != Exited)
        {
            try
            {
                _process.Kill();
            }
            catch (InvalidOperationException)
            {
                // Gone meanwhile.
            }
        }
    }

    private async Task ContinueForTerminateAsync(CancellationToken cancellationToken)
    {
        await _lifecycle.WaitAsync(cancellationToken);
        try
        {
            if (!_released && State == SandboxState.Paused)
            {
                await _qmp.ExecuteAsync("cont", null, cancellationToken);
                TryChangeState(SandboxState.Paused, SandboxState.Running);
            }
        }
        catch (SandboxException)
        {
            // The VMM is already gone.
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    private bool TryChangeState(SandboxState from, SandboxState to) =>
        Interlocked.CompareExchange(ref _state, (int)to, (int)from) == (int)from;
}
