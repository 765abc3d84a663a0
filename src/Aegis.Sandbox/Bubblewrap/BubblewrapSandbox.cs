using System.Diagnostics;
using System.Globalization;
using System.Net;
using Aegis.Sandbox.Bubblewrap.Cgroups;
using Aegis.Sandbox.Control;
using Aegis.Sandbox.Logging;
using Microsoft.Extensions.Logging;

namespace Aegis.Sandbox.Bubblewrap;

/// <summary>
/// One bwrap sandbox. A single monitor task owns the end of its life: it waits for the outer bwrap to exit (or for
/// the OOM counter to move), kills what is left in the cgroup, and releases cgroup, netns and runtime files before
/// <see cref="Exited"/> completes. Pause, resume and the kill step of terminate are serialized by one lock.
/// </summary>
internal sealed class BubblewrapSandbox : ISandbox
{
    private readonly Process _process;
    private readonly SandboxCgroup _cgroup;
    private readonly SandboxNetworkNamespace _network;
    private readonly SandboxFirewall _firewall;
    private readonly IReadOnlyList<TcpForwarder> _forwarders;
    private readonly SandboxControlChannel _control;
    private readonly RotatingLogFile _log;
    private readonly string _runtimeDirectory;
    private readonly BubblewrapOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _lifecycle = new(1, 1);
    private readonly Task _stdout;
    private readonly Task _stderr;
    private int _state = (int)SandboxState.Booting;
    private int _terminateRequested;
    private int _signalled;
    private bool _released;

    public BubblewrapSandbox(
        string id,
        Process process,
        SandboxCgroup cgroup,
        SandboxNetworkNamespace network,
        SandboxFirewall firewall,
        IReadOnlyList<TcpForwarder> forwarders,
        SandboxControlChannel control,
        RotatingLogFile log,
        string runtimeDirectory,
        BubblewrapOptions options,
        TimeProvider timeProvider,
        ILogger logger)
    {
        Id = id;
        _process = process;
        _cgroup = cgroup;
        _network = network;
        _firewall = firewall;
        _forwarders = forwarders;
        _control = control;
        _log = log;
        _runtimeDirectory = runtimeDirectory;
        _options = options;
        _timeProvider = timeProvider;
        _logger = logger;
        Pid = process.Id;
        Endpoint = new IPEndPoint(network.SandboxAddress, 80);
        _stdout = log.PumpAsync(process.StandardOutput.BaseStream);
        _stderr = log.PumpAsync(process.StandardError.BaseStream);
        TryChangeState(SandboxState.Booting, SandboxState.Running);
        BubblewrapLog.Started(logger, id, Pid, Endpoint, cgroup is CgroupV2 ? "v2" : "v1");
        Exited = MonitorAsync();
    }

    public string Id { get; }

    public SandboxState State => (SandboxState)Volatile.Read(ref _state);

    public int Pid { get; }

    public IPEndPoint Endpoint { get; }

    public string LogPath => _log.Path;

    public Task<SandboxExit> Exited { get; }

    public bool ControlConnected => !_released && _control.Connected;

    public Task<SandboxHealth?> QueryHealthAsync(TimeSpan timeout, CancellationToken cancellationToken = default) =>
        ControlConnected ? _control.QueryHealthAsync(timeout, _timeProvider, cancellationToken) : Task.FromResult<SandboxHealth?>(null);

    internal string NetworkNamespace => _network.Name;

    internal string HostInterface => _network.HostInterface;

    internal string FirewallTable => _firewall.Table;

    internal IReadOnlyList<string> CgroupDirectories => _cgroup.Directories;

    internal string RuntimeDirectory => _runtimeDirectory;

    internal IReadOnlyList<IPEndPoint> ForwarderEndpoints => [.. _forwarders.Select(f => f.Listen)];

    public async Task PauseAsync(CancellationToken cancellationToken = default)
    {
        await _lifecycle.WaitAsync(cancellationToken);
        try
        {
            if (State != SandboxState.Running)
            {
                throw new InvalidOperationException($"Sandbox {Id} is {State}, not Running");
            }

            await _cgroup.FreezeAsync(cancellationToken);
            TryChangeState(SandboxState.Running, SandboxState.Paused);
            BubblewrapLog.Paused(_logger, Id);
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

            await _cgroup.ThawAsync(cancellationToken);
            TryChangeState(SandboxState.Paused, SandboxState.Running);
            BubblewrapLog.Resumed(_logger, Id);
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
            // A frozen process can act neither on shutdown nor on SIGTERM.
            await ThawForTerminateAsync(cancellationToken);

            // A guest on the control channel gets to shut down by itself first; its exit then counts as its own.
            if (grace > TimeSpan.Zero && ControlConnected && await _control.RequestShutdownAsync(grace, cancellationToken))
            {
                BubblewrapLog.ShutdownRequested(_logger, Id, grace);
                await Task.WhenAny(Exited, Task.Delay(grace, _timeProvider, cancellationToken));
            }

            if (!Exited.IsCompleted)
            {
                await SignalMainProcessAsync(grace, cancellationToken);
                if (grace > TimeSpan.Zero)
                {
                    await Task.WhenAny(Exited, Task.Delay(grace, _timeProvider, cancellationToken));
                }
            }

            if (!Exited.IsCompleted)
            {
                BubblewrapLog.Killing(_logger, Id);
                Volatile.Write(ref _signalled, 1);
                await KillAllAsync(cancellationToken);
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

    private async Task ThawForTerminateAsync(CancellationToken cancellationToken)
    {
        await _lifecycle.WaitAsync(cancellationToken);
        try
        {
            if (!_released && State == SandboxState.Paused)
            {
                await _cgroup.ThawAsync(cancellationToken);
                TryChangeState(SandboxState.Paused, SandboxState.Running);
            }
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    private async Task SignalMainProcessAsync(TimeSpan grace, CancellationToken cancellationToken)
    {
        await _lifecycle.WaitAsync(cancellationToken);
        try
        {
            if (!_released)
            {
                var main = FindMainProcess();
                BubblewrapLog.Terminating(_logger, Id, main, grace);
                Volatile.Write(ref _signalled, 1);
                NativeMethods.Signal(main, NativeMethods.SigTerm);
            }
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    private async Task KillAllAsync(CancellationToken cancellationToken)
    {
        await _lifecycle.WaitAsync(cancellationToken);
        try
        {
            if (!_released)
            {
                await _cgroup.KillAllAsync(cancellationToken);
            }
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    private async Task<SandboxExit> MonitorAsync()
    {
        var exit = _process.WaitForExitAsync();
        var oomKilled = false;
        try
        {
            while (!exit.IsCompleted)
            {
                await Task.WhenAny(exit, Task.Delay(_options.OomPollInterval, _timeProvider));

                // One OOM kill inside means the sandbox is in an undefined state (a worker died, the main process
                // may not notice): the whole sandbox goes.
                if (!oomKilled && _cgroup.OomKillCount() > 0)
                {
                    oomKilled = true;
                    BubblewrapLog.OomKilled(_logger, Id);
                    await KillAllAsync(CancellationToken.None);
                }
            }
        }
        catch (Exception exception)
        {
            BubblewrapLog.MonitorFailed(_logger, Id, exception);
            await exit;
        }

        await _lifecycle.WaitAsync();
        try
        {
            // With the sandbox's pid 1 gone the kernel kills the rest of its pid namespace; this catches anything
            // that was moved into the cgroup some other way, and it must be empty before it can be removed.
            await BubblewrapBackend.TryAsync(_logger, Id, "kill", () => _cgroup.KillAllAsync());
            await Task.WhenAll(_stdout, _stderr).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            await BubblewrapBackend.TryAsync(_logger, Id, "control channel", async () => await _control.DisposeAsync());
            oomKilled |= _cgroup.OomKillCount() > 0;
            await BubblewrapBackend.TryAsync(_logger, Id, "cgroup", () => _cgroup.DeleteAsync());
            foreach (var forwarder in _forwarders)
            {
                await BubblewrapBackend.TryAsync(_logger, Id, "internal host relay", async () => await forwarder.DisposeAsync());
            }

            await BubblewrapBackend.TryAsync(_logger, Id, "firewall", async () => await _firewall.DisposeAsync());
            await BubblewrapBackend.TryAsync(_logger, Id, "network", async () => await _network.DisposeAsync());
            await BubblewrapBackend.TryAsync(_logger, Id, "runtime directory", () =>
            {
                SandboxMounts.DeleteDirectory(_runtimeDirectory);
                return Task.CompletedTask;
            });
            await _log.DisposeAsync();
            _released = true;
            Volatile.Write(ref _state, (int)SandboxState.Terminated);
        }
        finally
        {
            _lifecycle.Release();
        }

        var reason = oomKilled ? SandboxExitReason.OomKilled
            : Volatile.Read(ref _signalled) == 1 ? SandboxExitReason.Terminated
            : SandboxExitReason.Exited;
        var result = new SandboxExit(_process.ExitCode, reason);
        BubblewrapLog.Exited(_logger, Id, result.ExitCode, result.ReasonCode);
        return result;
    }

    /// <summary>
    /// The user's command: outer bwrap (host pid) → bwrap's reaper (pid 1 inside) → command. SIGTERM goes to the
    /// command, as a container runtime sends it to the container's main process; bwrap itself does not forward it.
    /// </summary>
    private int FindMainProcess()
    {
        var reaper = ChildrenOf(Pid).FirstOrDefault();
        if (reaper == 0)
        {
            return Pid;
        }

        var main = ChildrenOf(reaper).FirstOrDefault();
        return main == 0 ? reaper : main;
    }

    private static IEnumerable<int> ChildrenOf(int pid)
    {
        string children;
        try
        {
            children = File.ReadAllText($"/proc/{pid}/task/{pid}/children");
        }
        catch (IOException)
        {
            return [];
        }

        return children.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(p => int.Parse(p, CultureInfo.InvariantCulture));
    }

    private bool TryChangeState(SandboxState from, SandboxState to) =>
        Interlocked.CompareExchange(ref _state, (int)to, (int)from) == (int)from;
}
