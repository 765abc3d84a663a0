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
public sealed partial class QemuSandbox : SandboxLifecycle
{
    private readonly Process _process;
    private readonly QmpClient _qmp;
    private readonly GuestLink _link;
    private readonly Socket _logListener;
    private readonly RotatingLogFile _log;
    private readonly QemuPaths _paths;
    private readonly QemuMachine _machine;
    private readonly IReadOnlyList<ShareDisk> _shares;
    private readonly JsonObject? _run;
    private readonly Func<string> _vmmOutput;
    private readonly QemuOptions _options;
    private readonly SandboxResources _limits;
    private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Task _logPump;
    private int _runSent;
    private SandboxUsage? _guestUsage;
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
        SandboxResources limits,
        QemuOptions options,
        TimeProvider timeProvider,
        ILogger logger)
        : base(id, control, timeProvider, logger)
    {
        _process = process;
        _qmp = qmp;
        _link = link;
        _logListener = logListener;
        _log = log;
        _paths = paths;
        _machine = machine;
        _shares = shares;
        _run = run;
        _vmmOutput = vmmOutput;
        _options = options;
        _limits = limits;
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

    /// <summary>The QEMU process.</summary>
    public override int Pid { get; }

    /// <summary>127.0.0.1 and the host port QEMU forwards to the guest's exposed port.</summary>
    public override IPEndPoint Endpoint { get; }

    public override string LogPath => _log.Path;

    public override Task<SandboxExit> Exited { get; }

    /// <summary><c>kvm</c> or <c>tcg</c>.</summary>
    public string Accelerator => _machine.Accelerator;

    /// <summary>Guest RAM in MiB.</summary>
    public long MemoryMiB => _machine.MemoryMiB;

    internal string RuntimeDirectory => _paths.Directory;

    protected override TimeSpan DisposeGrace => _options.DisposeGrace;

    protected override Task FreezeAsync(CancellationToken cancellationToken) => _qmp.ExecuteAsync("stop", null, cancellationToken);

    protected override Task ThawAsync(CancellationToken cancellationToken) => _qmp.ExecuteAsync("cont", null, cancellationToken);

    /// <summary>The guest agent passes SIGTERM to the command.</summary>
    protected override async Task SignalCommandAsync(TimeSpan grace, CancellationToken cancellationToken)
    {
        QemuLog.Terminating(Logger, Id, grace);
        await ((Task)_link.SendAsync(new JsonObject { ["type"] = "signal", ["signal"] = 15 }, cancellationToken)
            .WaitAsync(TimeSpan.FromSeconds(1), cancellationToken)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    protected override Task KillAsync(CancellationToken cancellationToken) => StopVmAsync();

    /// <summary>
    /// The guest agent's last report on the command's cgroup (memory, peak, CPU time, processes; it reports about once a
    /// second, and a paused VM keeps its last); before the first report the VMM's view (see <see cref="VmmUsage"/>).
    /// </summary>
    protected override SandboxUsage? ReadUsageCore()
    {
        // Once QEMU is reaped its pid may be another process's: an exited VMM reports nothing.
        try
        {
            return _process.HasExited ? null : Volatile.Read(ref _guestUsage) ?? VmmUsage.Read(Pid, _limits);
        }
        catch (InvalidOperationException)
        {
            return null; // the process handle is already disposed
        }
    }

    protected override ValueTask DisposeCoreAsync()
    {
        _process.Dispose();
        return ValueTask.CompletedTask;
    }

    internal async Task WaitStartedAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var done = await Task.WhenAny(_started.Task, Exited, Task.Delay(timeout, TimeProvider, cancellationToken));
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
        var deadline = TimeProvider.GetUtcNow() + timeout;
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

            if (Exited.IsCompleted || TimeProvider.GetUtcNow() > deadline)
            {
                throw new SandboxException($"Sandbox {Id} did not come back from its snapshot (status {status}): {BootFailure()}");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(20), TimeProvider, cancellationToken);
        }

        TryChangeState(SandboxState.Booting, SandboxState.Running);

        // The agent answers with its state; a guest program that was connected to the control channel is reconnected.
        await _link.SendAsync(new JsonObject { ["type"] = "hello", ["time"] = TimeProvider.GetUtcNow().ToUnixTimeMilliseconds() }, cancellationToken);
    }

    private async Task OnGuestMessageAsync(JsonObject message)
    {
        switch ((string?)message["type"])
        {
            case "ready" when _run is not null && Interlocked.Exchange(ref _runSent, 1) == 0:
                _run["time"] = TimeProvider.GetUtcNow().ToUnixTimeMilliseconds();
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
                    QemuLog.GuestMisbehaved(Logger, Id, "an exit message without a code");
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
            case "usage":
                Volatile.Write(ref _guestUsage, GuestUsage(message));
                break;
            default:
                break;
        }
    }

    /// <summary>A <c>usage</c> report from the guest (untrusted: anything missing, negative or not a number keeps the last).</summary>
    private SandboxUsage? GuestUsage(JsonObject message)
    {
        static long? Number(JsonNode? node) => node is JsonValue value && value.TryGetValue<long>(out var number) && number >= 0 ? number : null;

        if (Number(message["memory"]) is not { } memory || Number(message["cpuUsec"]) is not { } cpu || Number(message["pids"]) is not { } pids
            || pids > int.MaxValue || cpu > TimeSpan.MaxValue.Ticks / TimeSpan.TicksPerMicrosecond)
        {
            QemuLog.GuestMisbehaved(Logger, Id, "a usage message without memory, cpuUsec and pids");
            return Volatile.Read(ref _guestUsage);
        }

        return new SandboxUsage(memory, Number(message["peak"]), TimeSpan.FromMicroseconds(cpu), (int)pids, _limits);
    }

    /// <summary>After the guest reported its exit it resets the VM; a guest that does not is stopped.</summary>
    private async Task EnsureVmEndsAsync()
    {
        await Task.WhenAny(Exited, Task.Delay(TimeSpan.FromSeconds(5), TimeProvider));
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

        if (await Task.WhenAny(Exited, Task.Delay(TimeSpan.FromSeconds(3), TimeProvider)) != Exited)
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
}
