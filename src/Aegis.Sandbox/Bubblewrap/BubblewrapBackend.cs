using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Aegis.Sandbox.Bubblewrap.Cgroups;
using Aegis.Sandbox.Control;
using Aegis.Sandbox.Logging;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Aegis.Sandbox.Bubblewrap;

/// <summary>
/// Sandboxes from Linux namespaces (bubblewrap), a per-sandbox network namespace wired to the host by a veth pair,
/// and cgroup limits. Needs root on the host. See README.md in this folder.
/// </summary>
public sealed partial class BubblewrapBackend : ISandboxBackend
{
    private const string Nsenter = "/usr/bin/nsenter";

    // Joins the sandbox's cgroups before bwrap runs, so not one instruction of user code runs unconfined, then
    // hands the --args pipe (stdin) to bwrap as fd 3 and gives the sandbox /dev/null as stdin.
    private const string Launcher = """
        n=$1; shift
        while [ "$n" -gt 0 ]; do echo $$ > "$1" || exit 125; shift; n=$((n-1)); done
        exec "$@" 3<&0 </dev/null
        """;

    private readonly BubblewrapOptions _options;
    private readonly ILoggerFactory _loggerFactory;
    private readonly TimeProvider _timeProvider;
    private readonly SubnetPool _subnets;

    public BubblewrapBackend(BubblewrapOptions? options = null, ILoggerFactory? loggerFactory = null, TimeProvider? timeProvider = null)
        : this(options, loggerFactory, timeProvider, SubnetPool.Shared)
    {
    }

    /// <summary>With its own link slots: tests that must know which slot (and so which interface) a sandbox gets.</summary>
    internal BubblewrapBackend(BubblewrapOptions? options, ILoggerFactory? loggerFactory, TimeProvider? timeProvider, SubnetPool subnets)
    {
        _options = options ?? new BubblewrapOptions();
        _loggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
        _timeProvider = timeProvider ?? TimeProvider.System;
        _subnets = subnets;
    }

    public string Name => "bwrap";

    public async Task<SandboxProbeResult> ProbeAsync(CancellationToken cancellationToken = default)
    {
        var problems = new List<string>();
        if (!OperatingSystem.IsLinux())
        {
            return new SandboxProbeResult(false, ["bubblewrap needs Linux"]);
        }

        if (!Environment.IsPrivilegedProcess)
        {
            problems.Add("aegisd must run as root to create cgroups and network namespaces");
        }

        foreach (var tool in new[] { _options.BwrapPath, "/usr/sbin/ip", Nsenter, SandboxFirewall.Nft, "/bin/sh" })
        {
            if (!File.Exists(tool))
            {
                problems.Add($"{tool} is missing");
            }
        }

        var unified = SandboxCgroup.IsUnifiedHierarchy(_options.CgroupRoot);
        var controllers = unified ? ["memory", "pids", "cpu"] : new[] { "memory", "pids", "cpu", "freezer" };
        foreach (var controller in controllers)
        {
            var present = unified
                ? File.ReadAllText(Path.Combine(_options.CgroupRoot, "cgroup.controllers")).Split(' ', StringSplitOptions.TrimEntries).Contains(controller)
                : File.Exists(Path.Combine(_options.CgroupRoot, controller, "cgroup.procs"));
            if (!present)
            {
                problems.Add($"cgroup controller {controller} is not available");
            }
        }

        if (problems.Count == 0)
        {
            var result = await HostCommand.TryRunAsync(
                _options.BwrapPath,
                // No --die-with-parent here: this bwrap is forked from a pool thread, whose exit would SIGKILL it.
                ["--unshare-all", "--unshare-user", "--ro-bind", "/usr", "/usr", "--symlink", "usr/bin", "/bin",
                 "--symlink", "usr/lib", "/lib", "--symlink", "usr/lib64", "/lib64", "--proc", "/proc", "--", "/usr/bin/true"],
                cancellationToken);
            if (result.ExitCode != 0)
            {
                problems.Add($"bwrap cannot create namespaces (exit {result.ExitCode}): {result.StandardError.Trim()}");
            }
        }

        return problems.Count == 0 ? SandboxProbeResult.Ok : new SandboxProbeResult(false, problems);
    }

    public async Task<ISandbox> StartAsync(SandboxSpec spec, CancellationToken cancellationToken = default)
    {
        Validate(spec);
        var canvas = spec.CanvasDirectory ?? Path.Combine(spec.WorkspaceDirectory, "canvas");
        Directory.CreateDirectory(canvas);
        return await LaunchAsync(spec, canvas, poolDirectory: null, cancellationToken);
    }

    public bool SupportsPreparation => true;

    /// <summary>
    /// Starts everything of a sandbox that is the kit's (cgroup, network, firewall, relays, the image) with a placeholder
    /// shell that waits on a FIFO for its start script; the app's directories are mounted onto shared mount points at
    /// claim and propagate into the running sandbox (see <see cref="PreparedSlot"/>).
    /// </summary>
    public async Task<IPreparedSandbox> PrepareAsync(SandboxTemplate template, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(template);
        var runtimeDirectory = Path.Combine(_options.RuntimeDirectory, template.InstanceId);
        var placeholder = new SandboxSpec(template.InstanceId, "", "/bin/sh", Path.GetTempPath())
        {
            Image = template.Image,
            Resources = template.Resources,
            Network = template.Network,
            InternalHosts = template.InternalHosts,
        };
        Validate(placeholder);
        var slot = PreparedSlot.Create(runtimeDirectory);
        BubblewrapSandbox sandbox;
        try
        {
            sandbox = await LaunchAsync(
                placeholder with
                {
                    Arguments = ["-c", PreparedSlot.PlaceholderScript],
                    WorkspaceDirectory = slot.Workspace,
                    ReleaseDirectory = slot.Agent,
                },
                slot.Canvas,
                slot.PoolDirectory,
                cancellationToken);
        }
        catch
        {
            // LaunchAsync removed the runtime directory (mounts first) unless it failed before creating anything.
            await TryAsync(_loggerFactory.CreateLogger<BubblewrapBackend>(), template.InstanceId, "prepared slot", () =>
            {
                SandboxMounts.DeleteDirectory(runtimeDirectory);
                return Task.CompletedTask;
            });
            throw;
        }

        return await PreparedBubblewrapSandbox.WhenReadyAsync(template, sandbox, slot, _options, _timeProvider, cancellationToken);
    }

    private async Task<BubblewrapSandbox> LaunchAsync(SandboxSpec spec, string canvas, string? poolDirectory, CancellationToken cancellationToken)
    {
        var runtimeDirectory = Path.Combine(_options.RuntimeDirectory, spec.InstanceId);
        var etc = Path.Combine(runtimeDirectory, "etc");
        SandboxCgroup? cgroup = null;
        SandboxNetworkNamespace? network = null;
        RotatingLogFile? log = null;
        Process? process = null;
        var forwarders = new List<TcpForwarder>();
        SandboxControlChannel? control = null;
        SandboxFirewall? firewall = null;
        try
        {
            cgroup = SandboxCgroup.Create(_options.CgroupRoot, _options.CgroupParent, spec.InstanceId, spec.Resources);
            network = await SandboxNetworkNamespace.CreateAsync(
                NetworkNamespaceName(spec.InstanceId), _options.SubnetPrefix, _subnets, spec.Network, cancellationToken);
            SandboxRootFs.WriteEtc(etc, spec, _options.SandboxUid, network.HostAddress);
            var agent = spec.ReleaseDirectory;
            if (spec is { ReleaseDirectory: { } release, InstanceLayerDirectory: { } layer })
            {
                agent = Path.Combine(runtimeDirectory, "agent");
                SandboxMounts.MountOverlay(release, layer, agent);
            }

            var forwarderLogger = _loggerFactory.CreateLogger<TcpForwarder>();
            foreach (var host in spec.InternalHosts.DistinctBy(h => h.Port))
            {
                forwarders.Add(TcpForwarder.Start(new IPEndPoint(network.HostAddress, host.Port), host.Target, spec.InstanceId, forwarderLogger));
            }

            firewall = await SandboxFirewall.CreateAsync(
                network.Name, network, spec.Network.Egress, forwarders.Select(f => f.Listen.Port), Path.Combine(runtimeDirectory, "firewall.nft"), cancellationToken);
            foreach (var stale in firewall.StaleTables)
            {
                BubblewrapLog.StaleFirewallRemoved(_loggerFactory.CreateLogger<BubblewrapBackend>(), spec.InstanceId, stale, network.HostInterface);
            }

            log = new RotatingLogFile(Path.Combine(_options.LogDirectory, spec.InstanceId + ".log"), _options.LogFileBytes, _options.LogFiles);
            var guestLog = log;
            control = SandboxControlChannel.Listen(
                Path.Combine(runtimeDirectory, "control.sock"),
                spec.InstanceId,
                (level, message) => guestLog.WriteAsync(Encoding.UTF8.GetBytes(SandboxControlChannel.FormatLog(level, message))),
                _loggerFactory.CreateLogger<SandboxControlChannel>());

            var startInfo = new ProcessStartInfo("/bin/sh")
            {
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };

            // Host-side tools (sh, nsenter, bwrap) run with a fixed environment: the spec's env reaches only the
            // sandboxed process (via --args), so e.g. an LD_PRELOAD in it cannot act on the host side.
            startInfo.Environment.Clear();
            startInfo.Environment["PATH"] = "/usr/sbin:/usr/bin:/sbin:/bin";
            List<string> argv = ["-c", Launcher, "aegis-launcher", cgroup.ProcsFiles.Count.ToString(System.Globalization.CultureInfo.InvariantCulture)];
            argv.AddRange(cgroup.ProcsFiles);
            argv.AddRange([Nsenter, $"--net={network.Path}", "--", _options.BwrapPath, "--args", "3", "--", spec.Command]);
            argv.AddRange(spec.Arguments);
            foreach (var argument in argv)
            {
                startInfo.ArgumentList.Add(argument);
            }

            process = await ProcessSpawner.StartAsync(startInfo, _options.Scheduling);
            var sandbox = new BubblewrapSandbox(spec.InstanceId, process, cgroup, network, firewall, forwarders, control, log, runtimeDirectory, _options, _timeProvider,
                _loggerFactory.CreateLogger<BubblewrapSandbox>());
            try
            {
                var options = SandboxRootFs.Encode(SandboxRootFs.BuildOptions(
                    spec, etc, canvas, control.Path, _options.SandboxUid, agent, agentWritable: spec.InstanceLayerDirectory is not null, poolDirectory));
                // Not cancellable: once the process runs, the sandbox object owns its cleanup and must be returned.
                await process.StandardInput.BaseStream.WriteAsync(options, CancellationToken.None);
                process.StandardInput.Close();
            }
            catch (IOException)
            {
                // The launcher died before reading its options (e.g. a cgroup refused it); the exit path reports it.
            }

            return sandbox;
        }
        catch (Exception exception) when (process is null)
        {
            // Nothing runs yet: undo the host resources in reverse order.
            var logger = _loggerFactory.CreateLogger<BubblewrapSandbox>();
            if (control is not null)
            {
                await control.DisposeAsync();
            }

            if (log is not null)
            {
                await log.DisposeAsync();
            }

            foreach (var forwarder in forwarders)
            {
                await forwarder.DisposeAsync();
            }

            await TryAsync(logger, spec.InstanceId, "firewall", async () => await (firewall?.DisposeAsync() ?? ValueTask.CompletedTask));
            await TryAsync(logger, spec.InstanceId, "network", async () => await (network?.DisposeAsync() ?? ValueTask.CompletedTask));
            await TryAsync(logger, spec.InstanceId, "cgroup", () => cgroup?.DeleteAsync() ?? Task.CompletedTask);
            await TryAsync(logger, spec.InstanceId, "runtime directory", () =>
            {
                SandboxMounts.DeleteDirectory(runtimeDirectory);
                return Task.CompletedTask;
            });
            if (exception is SandboxException)
            {
                throw;
            }

            throw new SandboxException($"Could not start sandbox {spec.InstanceId}: {exception.Message}", exception);
        }
    }

    /// <summary>No memory snapshots: CRIU does not work on this kernel; terminate keeps the workspace only.</summary>
    public bool SupportsSnapshots => false;

    public Task<SandboxSnapshot> SnapshotAsync(ISandbox sandbox, string directory, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException("The bwrap backend has no memory snapshots.");

    public Task<ISandbox> RestoreAsync(SandboxSpec spec, string directory, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException("The bwrap backend has no memory snapshots.");

    /// <summary>Nothing to forget: a bwrap sandbox mounts the release directory itself.</summary>
    public Task<IReadOnlyList<string>> ForgetReleaseAsync(string releaseDirectory, CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<string>>([]);

    /// <inheritdoc />
    public Task<IReadOnlyList<string>> RemoveLeftoversAsync(string instanceId, CancellationToken cancellationToken = default) =>
        BubblewrapLeftovers.RemoveAsync(_options, instanceId, cancellationToken);

    /// <summary>The netns name, <c>aegis-</c> plus 12 hex digits of the instance id's hash: short, unique, safe as a file name.</summary>
    internal static string NetworkNamespaceName(string instanceId) =>
        "aegis-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(instanceId)))[..12];

    internal static async Task TryAsync(ILogger logger, string instanceId, string step, Func<Task> action)
    {
        try
        {
            await action();
        }
        catch (DirectoryNotFoundException)
        {
            // Already gone.
        }
        catch (Exception exception)
        {
            BubblewrapLog.CleanupFailed(logger, instanceId, step, exception);
        }
    }

    internal static void Validate(SandboxSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (!InstanceIdPattern().IsMatch(spec.InstanceId) || spec.InstanceId is "." or "..")
        {
            throw new ArgumentException($"Instance id '{spec.InstanceId}' must be 1-64 letters, digits, '-', '_' or '.'", nameof(spec));
        }

        if (string.IsNullOrEmpty(spec.Command))
        {
            throw new ArgumentException("A command is required", nameof(spec));
        }

        if (!Path.IsPathFullyQualified(spec.WorkspaceDirectory) || !Directory.Exists(spec.WorkspaceDirectory))
        {
            throw new ArgumentException($"Workspace {spec.WorkspaceDirectory} must be an existing absolute path", nameof(spec));
        }

        if (spec.InstanceLayerDirectory is { } layer && (!Path.IsPathFullyQualified(layer) || spec.ReleaseDirectory is null))
        {
            throw new ArgumentException($"Instance layer {layer} must be an absolute path, and needs a release to lie over", nameof(spec));
        }

        foreach (var (name, value) in spec.Environment.Concat(spec.Image?.Environment ?? new Dictionary<string, string>()))
        {
            if (name.Length == 0 || name.Contains('=') || name.Contains('\0') || value.Contains('\0'))
            {
                throw new ArgumentException($"Environment variable '{name}' has an invalid name or value", nameof(spec));
            }
        }

        if (spec.Image is { RootDirectory: var root } && (!Path.IsPathFullyQualified(root) || !Directory.Exists(Path.Combine(root, "usr"))))
        {
            // Not an argument problem: the image is usually fine and only missing on this host (not built, deleted).
            throw new SandboxException($"Image root {root} is not an absolute path to a directory holding usr/: is the image built?");
        }

        foreach (var host in spec.InternalHosts)
        {
            if (!HostNamePattern().IsMatch(host.Name) || host.Port is < 1 or > 65535)
            {
                throw new ArgumentException($"Internal host '{host.Name}:{host.Port}' needs a host name and a port in 1-65535", nameof(spec));
            }
        }

        var ports = spec.InternalHosts.GroupBy(h => h.Port).FirstOrDefault(g => g.Select(h => h.Target).Distinct().Count() > 1);
        if (ports is not null)
        {
            // One address per sandbox carries every internal host, so a port can lead to only one target.
            throw new ArgumentException($"Internal hosts {string.Join(", ", ports.Select(h => h.Name))} share port {ports.Key} but have different targets", nameof(spec));
        }

        if (spec.Resources.MemoryBytes < 4 * 1024 * 1024 || spec.Resources.PidsLimit < 4 || spec.Resources.CpuCores <= 0)
        {
            throw new ArgumentException("Resources must allow at least 4 MiB, 4 pids and some CPU", nameof(spec));
        }
    }

    [GeneratedRegex("^[A-Za-z0-9._-]{1,64}$")]
    private static partial Regex InstanceIdPattern();

    [GeneratedRegex(@"^(?=.{1,253}$)[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?(?:\.[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)*$", RegexOptions.CultureInvariant)]
    private static partial Regex HostNamePattern();
}
