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
internal sealed class BubblewrapSandbox : SandboxLifecycle
{
    private readonly Process _process;
    private readonly SandboxCgroup _cgroup;
    private readonly SandboxNetworkNamespace _network;
    private readonly SandboxFirewall _firewall;
    private readonly IReadOnlyList<TcpForwarder> _forwarders;
    private readonly RotatingLogFile _log;
    private readonly string _runtimeDirectory;
    private readonly BubblewrapOptions _options;
    private readonly Task _stdout;
    private readonly Task _stderr;

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
        : base(id, control, timeProvider, logger)
    {
        _process = process;
        _cgroup = cgroup;
        _network = network;
        _firewall = firewall;
        _forwarders = forwarders;
        _log = log;
        _runtimeDirectory = runtimeDirectory;
        _options = options;
        Pid = process.Id;
        Endpoint = new IPEndPoint(network.SandboxAddress, 80);
        _stdout = log.PumpAsync(process.StandardOutput.BaseStream);
        _stderr = log.PumpAsync(process.StandardError.BaseStream);
        TryChangeState(SandboxState.Booting, SandboxState.Running);
        BubblewrapLog.Started(logger, id, Pid, Endpoint, cgroup is CgroupV2 ? "v2" : "v1");
        Exited = MonitorAsync();
    }

    public override int Pid { get; }

    public override IPEndPoint Endpoint { get; }

    public override string LogPath => _log.Path;

    public override Task<SandboxExit> Exited { get; }

    internal string NetworkNamespace => _network.Name;

    internal string HostInterface => _network.HostInterface;

    internal string FirewallTable => _firewall.Table;

    internal IReadOnlyList<string> CgroupDirectories => _cgroup.Directories;

    internal string RuntimeDirectory => _runtimeDirectory;

    internal IReadOnlyList<IPEndPoint> ForwarderEndpoints => [.. _forwarders.Select(f => f.Listen)];

    protected override TimeSpan DisposeGrace => _options.DisposeGrace;

    protected override Task FreezeAsync(CancellationToken cancellationToken) => _cgroup.FreezeAsync(cancellationToken);

    protected override Task ThawAsync(CancellationToken cancellationToken) => _cgroup.ThawAsync(cancellationToken);

    protected override SandboxUsage? ReadUsageCore() => _cgroup.ReadUsage();

    protected override ValueTask DisposeCoreAsync()
    {
        _process.Dispose();
        return ValueTask.CompletedTask;
    }

    protected override async Task SignalCommandAsync(TimeSpan grace, CancellationToken cancellationToken)
    {
        await Lifecycle.WaitAsync(cancellationToken);
        try
        {
            if (!Released)
            {
                var main = FindMainProcess();
                BubblewrapLog.Terminating(Logger, Id, main, grace);
                NativeMethods.Signal(main, NativeMethods.SigTerm);
            }
        }
        finally
        {
            Lifecycle.Release();
        }
    }

    protected override async Task KillAsync(CancellationToken cancellationToken)
    {
        await Lifecycle.WaitAsync(cancellationToken);
        try
        {
            if (!Released)
            {
                await _cgroup.KillAllAsync(cancellationToken);
            }
        }
        finally
        {
            Lifecycle.Release();
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
                await Task.WhenAny(exit, Task.Delay(_options.OomPollInterval, TimeProvider));

                // One OOM kill inside means the sandbox is in an undefined state (a worker died, the main process
                // may not notice): the whole sandbox goes.
                if (!oomKilled && _cgroup.OomKillCount() > 0)
                {
                    oomKilled = true;
                    BubblewrapLog.OomKilled(Logger, Id);
                    await KillAsync(CancellationToken.None);
                }
            }
        }
        catch (Exception exception)
        {
            BubblewrapLog.MonitorFailed(Logger, Id, exception);
            await exit;
        }

        await Lifecycle.WaitAsync();
        try
        {
            // With the sandbox's pid 1 gone the kernel kills the rest of its pid namespace; this catches anything
            // that was moved into the cgroup some other way, and it must be empty before it can be removed.
            await BubblewrapBackend.TryAsync(Logger, Id, "kill", () => _cgroup.KillAllAsync());
            await Task.WhenAll(_stdout, _stderr).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            await BubblewrapBackend.TryAsync(Logger, Id, "control channel", async () => await Control.DisposeAsync());
            oomKilled |= _cgroup.OomKillCount() > 0;
            await BubblewrapBackend.TryAsync(Logger, Id, "cgroup", () => _cgroup.DeleteAsync());
            foreach (var forwarder in _forwarders)
            {
                await BubblewrapBackend.TryAsync(Logger, Id, "internal host relay", async () => await forwarder.DisposeAsync());
            }

            await BubblewrapBackend.TryAsync(Logger, Id, "firewall", async () => await _firewall.DisposeAsync());
            await BubblewrapBackend.TryAsync(Logger, Id, "network", async () => await _network.DisposeAsync());
            await BubblewrapBackend.TryAsync(Logger, Id, "runtime directory", () =>
            {
                SandboxMounts.DeleteDirectory(_runtimeDirectory);
                return Task.CompletedTask;
            });
            await _log.DisposeAsync();
            MarkReleased();
        }
        finally
        {
            Lifecycle.Release();
        }

        var reason = oomKilled ? SandboxExitReason.OomKilled
            : Signalled ? SandboxExitReason.Terminated
            : SandboxExitReason.Exited;
        var result = new SandboxExit(_process.ExitCode, reason);
        BubblewrapLog.Exited(Logger, Id, result.ExitCode, result.ReasonCode);
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
}
