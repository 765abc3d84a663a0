using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Aegis.Sandbox.Control;
using Aegis.Sandbox.Logging;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Aegis.Sandbox.Qemu;

/// <summary>
/// Sandboxes as QEMU <c>microvm</c> guests: the kernel, initramfs and root disk of <c>images/qemu/build</c>, a qcow2
/// instance layer over the read-only base, the workspace as a disk, user-mode networking, a guest agent on
/// virtio-serial, QMP for pause, resume and memory snapshots. KVM when a vCPU runs, TCG otherwise. See README.md.
/// </summary>
public sealed partial class QemuBackend : ISandboxBackend
{
    private readonly QemuOptions _options;
    private readonly ILoggerFactory _loggerFactory;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly Lazy<Task<QemuAccelerator>> _accelerator;

    // One probe per process and configuration: it may take the whole probe timeout on a host whose KVM hangs.
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, Lazy<Task<QemuAccelerator>>> Probes = new();

    public QemuBackend(QemuOptions? options = null, ILoggerFactory? loggerFactory = null, TimeProvider? timeProvider = null)
    {
        _options = options ?? new QemuOptions();
        _loggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
        _timeProvider = timeProvider ?? TimeProvider.System;
        _logger = _loggerFactory.CreateLogger<QemuBackend>();
        var kernel = Path.Combine(_options.ImageDirectory, "vmlinuz");
        var logger = _logger;
        _accelerator = Probes.GetOrAdd($"{_options.QemuPath}|{kernel}|{_options.Accelerator}", _ => new(async () =>
        {
            var accelerator = await QemuAccelerator.ProbeAsync(_options, kernel, CancellationToken.None);
            QemuLog.AcceleratorChosen(logger, accelerator.Name, accelerator.Reason);
            return accelerator;
        }));
    }

    public string Name => "qemu";

    public QemuOptions Options => _options;

    /// <summary>KVM or TCG: probed once (with a timeout), then fixed for the backend's lifetime.</summary>
    public Task<QemuAccelerator> GetAcceleratorAsync() => _accelerator.Value;

    public async Task<SandboxProbeResult> ProbeAsync(CancellationToken cancellationToken = default)
    {
        var problems = new List<string>();
        if (!OperatingSystem.IsLinux())
        {
            return new SandboxProbeResult(false, ["qemu backend needs Linux"]);
        }

        foreach (var tool in new[] { _options.QemuPath, _options.QemuImgPath, _options.SocatPath, _options.MkfsPath, _options.DebugfsPath, _options.FsckPath })
        {
            if (!File.Exists(tool))
            {
                problems.Add($"{tool} is missing");
            }
        }

        foreach (var file in new[] { "image.json", "vmlinuz", "initramfs.img", "rootfs.qcow2" })
        {
            if (!File.Exists(Path.Combine(_options.ImageDirectory, file)))
            {
                problems.Add($"{Path.Combine(_options.ImageDirectory, file)} is missing: is the image built (images/qemu/build)?");
            }
        }

        if (problems.Count == 0)
        {
            await GetAcceleratorAsync().WaitAsync(cancellationToken);
        }

        return problems.Count == 0 ? SandboxProbeResult.Ok : new SandboxProbeResult(false, problems);
    }

    public async Task<ISandbox> StartAsync(SandboxSpec spec, CancellationToken cancellationToken = default)
    {
        Validate(spec);
        var image = ReadImage(spec);
        var accelerator = await GetAcceleratorAsync().WaitAsync(cancellationToken);
        var paths = new QemuPaths(image.Kernel, image.Initramfs, image.Disk, Path.Combine(_options.RuntimeDirectory, spec.InstanceId));
        if (Directory.Exists(paths.Directory))
        {
            throw new SandboxException($"Sandbox {spec.InstanceId} already has a runtime directory {paths.Directory}: is it running?");
        }

        Directory.CreateDirectory(paths.Directory);
        var started = Stopwatch.StartNew();
        var setup = new Setup(spec, paths);
        QemuSandbox? sandbox = null;
        try
        {
            await QemuHost.RunAsync(_options.QemuImgPath, ["create", "-q", "-f", "qcow2", "-F", "qcow2", "-b", image.Disk, paths.Overlay], cancellationToken);
            var (shares, binds) = PlanShares(spec, paths);
            foreach (var share in shares)
            {
                await share.CreateAsync(_options, cancellationToken);
            }

            var machine = new QemuMachine
            {
                Accelerator = accelerator.Name,
                MemoryMiB = GuestMemoryMiB(spec.Resources.MemoryBytes),
                Cpus = Math.Max(1, (int)Math.Ceiling(spec.Resources.CpuCores)),
                ShareLabels = [.. shares.Select(s => s.Label)],
                TscKhz = accelerator.IsKvm ? 0 : HostTscKhz(),
            };
            await LaunchAsync(setup, machine, shares, incoming: null, cancellationToken);
            var run = RunMessage(spec, shares, binds);
            sandbox = setup.CreateSandbox(machine, shares, run, restored: false, _options, _timeProvider, _loggerFactory.CreateLogger<QemuSandbox>());
            await sandbox.WaitStartedAsync(_options.BootTimeout, cancellationToken);
            QemuLog.Started(_logger, spec.InstanceId, sandbox.Pid, accelerator.Name, sandbox.Endpoint, started.Elapsed);
            return sandbox;
        }
        catch (Exception exception)
        {
            if (sandbox is not null)
            {
                await sandbox.TerminateAsync(TimeSpan.Zero, CancellationToken.None);
            }
            else
            {
                await setup.AbortAsync(_logger);
            }

            if (exception is SandboxException or OperationCanceledException)
            {
                throw;
            }

            throw new SandboxException($"Could not start sandbox {spec.InstanceId}: {exception.Message}", exception);
        }
    }

    /// <summary>
    /// Boots <paramref name="spec"/>'s instance from a memory snapshot taken by <see cref="QemuSandbox.SnapshotAsync"/>:
    /// the same machine, its instance layer and share disks, and the guest's memory, so every process continues where it
    /// was. The snapshot is consumed (its disks move back to the instance). The spec gives the network (forwards,
    /// internal hosts) and the log; its command and environment are already in the guest's memory.
    /// </summary>
    public async Task<QemuSandbox> RestoreAsync(SandboxSpec spec, QemuSnapshot snapshot, CancellationToken cancellationToken = default)
    {
        Validate(spec);
        var image = ReadImage(spec);
        var accelerator = await GetAcceleratorAsync().WaitAsync(cancellationToken);
        var machine = snapshot.Machine;
        if (machine.Accelerator != accelerator.Name)
        {
            throw new SandboxException($"Snapshot {snapshot.Directory} was taken under {machine.Accelerator}, this host runs {accelerator.Name}");
        }

        var paths = new QemuPaths(image.Kernel, image.Initramfs, image.Disk, Path.Combine(_options.RuntimeDirectory, spec.InstanceId));
        if (Directory.Exists(paths.Directory))
        {
            throw new SandboxException($"Sandbox {spec.InstanceId} already has a runtime directory {paths.Directory}: is it running?");
        }

        Directory.CreateDirectory(paths.Directory);
        var started = Stopwatch.StartNew();
        var setup = new Setup(spec, paths);
        QemuSandbox? sandbox = null;
        try
        {
            var (plannedShares, _) = PlanShares(spec, paths);
            if (!plannedShares.Select(s => s.Label).SequenceEqual(machine.ShareLabels))
            {
                throw new SandboxException($"Snapshot {snapshot.Directory} has shares {string.Join(", ", machine.ShareLabels)}, the spec asks for {string.Join(", ", plannedShares.Select(s => s.Label))}");
            }

            File.Move(snapshot.Overlay, paths.Overlay);
            for (var i = 0; i < plannedShares.Count; i++)
            {
                File.Move(snapshot.Share(i), plannedShares[i].ImagePath);
            }

            await LaunchAsync(setup, machine, plannedShares, snapshot.Memory, cancellationToken);
            sandbox = setup.CreateSandbox(machine, plannedShares, run: null, restored: true, _options, _timeProvider, _loggerFactory.CreateLogger<QemuSandbox>());
            await sandbox.WaitRestoredAsync(_options.BootTimeout, cancellationToken);
            QemuLog.Restored(_logger, spec.InstanceId, snapshot.Directory, sandbox.Pid, sandbox.Endpoint, started.Elapsed);
            Directory.Delete(snapshot.Directory, recursive: true);
            return sandbox;
        }
        catch (Exception exception)
        {
            if (sandbox is not null)
            {
                await sandbox.TerminateAsync(TimeSpan.Zero, CancellationToken.None);
            }
            else
            {
                // Give the disks back to the snapshot, so a failed restore can be retried.
                TryMove(paths.Overlay, snapshot.Overlay);
                for (var i = 0; i < machine.ShareLabels.Count; i++)
                {
                    TryMove(paths.Share(i), snapshot.Share(i));
                }

                await setup.AbortAsync(_logger);
            }

            if (exception is SandboxException or OperationCanceledException)
            {
                throw;
            }

            throw new SandboxException($"Could not restore sandbox {spec.InstanceId}: {exception.Message}", exception);
        }
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<string>> RemoveLeftoversAsync(string instanceId, CancellationToken cancellationToken = default)
    {
        var removed = new List<string>();
        var directory = Path.Combine(_options.RuntimeDirectory, instanceId);
        if (!Directory.Exists(directory))
        {
            return removed;
        }

        // The VMM is recognised by its runtime directory on its command line.
        foreach (var pid in Directory.EnumerateDirectories("/proc").Select(Path.GetFileName).Where(n => int.TryParse(n, out _)).Select(n => int.Parse(n!, CultureInfo.InvariantCulture)))
        {
            string cmdline;
            try
            {
                cmdline = await File.ReadAllTextAsync($"/proc/{pid}/cmdline", cancellationToken);
            }
            catch (IOException)
            {
                continue;
            }

            if (cmdline.StartsWith(_options.QemuPath + "\0", StringComparison.Ordinal) && cmdline.Contains(directory + "/", StringComparison.Ordinal))
            {
                QemuHost.Signal(pid, 9);
                removed.Add($"qemu pid {pid}");
            }
        }

        await Task.Delay(200, cancellationToken);
        var shares = Path.Combine(directory, "shares.json");
        if (File.Exists(shares))
        {
            // What the guest wrote is still on its disks: copy it back before they go.
            foreach (var share in JsonSerializer.Deserialize(await File.ReadAllTextAsync(shares, cancellationToken), QemuJson.Default.ShareDiskArray) ?? [])
            {
                if (File.Exists(share.ImagePath) && Directory.Exists(share.HostDirectory))
                {
                    await share.ExportAsync(_options, copyFirst: false, cancellationToken);
                    removed.Add($"exported {share.ImagePath} to {share.HostDirectory}");
                }
            }
        }

        await TryAsync(_logger, instanceId, "runtime directory", () =>
        {
            Directory.Delete(directory, recursive: true);
            return Task.CompletedTask;
        });
        removed.Add($"runtime {directory}");
        return removed;
    }

    private async Task LaunchAsync(Setup setup, QemuMachine machine, IReadOnlyList<ShareDisk> shares, string? incoming, CancellationToken cancellationToken)
    {
        var spec = setup.Spec;
        var paths = setup.Paths;
        await File.WriteAllTextAsync(Path.Combine(paths.Directory, "shares.json"), JsonSerializer.Serialize(shares.ToArray(), QemuJson.Default.ShareDiskArray), cancellationToken);
        setup.Log = new RotatingLogFile(Path.Combine(_options.LogDirectory, spec.InstanceId + ".log"), _options.LogFileBytes, _options.LogFiles);
        var guestLog = setup.Log;
        setup.Control = SandboxControlChannel.Listen(
            paths.Control,
            spec.InstanceId,
            (level, message) => guestLog.WriteAsync(Encoding.UTF8.GetBytes(SandboxControlChannel.FormatLog(level, message))),
            _loggerFactory.CreateLogger<SandboxControlChannel>());
        setup.Link = GuestLink.Listen(paths.Agent);
        setup.LogListener = UnixSockets.Listen(paths.Log);
        setup.HostPort = FreeLoopbackPort();
        setup.ForwardPort = FreeLoopbackPort();

        var startInfo = new ProcessStartInfo(_options.QemuPath)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in machine.Arguments(_options, paths, setup.ForwardPort, spec, [.. shares.Select(s => s.ImagePath)], incoming))
        {
            startInfo.ArgumentList.Add(argument);
        }

        // QEMU and the socat relays it runs see none of aegisd's environment.
        startInfo.Environment.Clear();
        startInfo.Environment["PATH"] = "/usr/sbin:/usr/bin:/sbin:/bin";
        setup.Process = Process.Start(startInfo) ?? throw new SandboxException($"Could not start {_options.QemuPath}");
        setup.Process.StandardInput.Close();
        setup.StartCapturingVmmOutput();
        var process = setup.Process;
        try
        {
            setup.Qmp = await QmpClient.ConnectAsync(paths.Qmp, () => !process.HasExited, TimeSpan.FromSeconds(30), cancellationToken);
        }
        catch (Exception exception) when (exception is SocketException or SandboxException)
        {
            await process.WaitForExitAsync(cancellationToken).WaitAsync(TimeSpan.FromSeconds(5), cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            throw new SandboxException($"QEMU did not come up for {spec.InstanceId}: {setup.VmmOutput()}", exception);
        }
    }

    private (List<ShareDisk> Shares, List<(string Source, string Path)> Binds) PlanShares(SandboxSpec spec, QemuPaths paths)
    {
        var canvas = spec.CanvasDirectory ?? Path.Combine(spec.WorkspaceDirectory, "canvas");
        Directory.CreateDirectory(canvas);
        var workspace = Path.GetFullPath(spec.WorkspaceDirectory).TrimEnd('/');
        var shares = new List<ShareDisk> { new("aegis-workspace", "/workspace", workspace, paths.Share(0)) };
        var binds = new List<(string Source, string Path)>();
        var fullCanvas = Path.GetFullPath(canvas).TrimEnd('/');
        if (fullCanvas.StartsWith(workspace + "/", StringComparison.Ordinal))
        {
            // The default: the canvas is a directory of the workspace, so it rides on the workspace disk.
            binds.Add(("/workspace/" + Path.GetRelativePath(workspace, fullCanvas), "/canvas"));
        }
        else
        {
            shares.Add(new ShareDisk("aegis-canvas", "/canvas", fullCanvas, paths.Share(1)));
        }

        return (shares, binds);
    }

    private JsonObject RunMessage(SandboxSpec spec, IReadOnlyList<ShareDisk> shares, List<(string Source, string Path)> binds)
    {
        var environment = new Dictionary<string, string>(spec.Image?.Environment ?? new Dictionary<string, string>(), StringComparer.Ordinal);
        foreach (var (name, value) in spec.Environment)
        {
            environment[name] = value;
        }

        environment.TryAdd("PATH", "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin");
        var env = new JsonObject();
        foreach (var (name, value) in environment)
        {
            env[name] = value;
        }

        var allow = spec.Network.Egress == SandboxEgress.Allow;
        var blackholes = new JsonArray();
        if (allow)
        {
            // With egress on, slirp would also carry the guest to the host itself: 10.0.2.2 is the host's loopback and
            // the host's own addresses are just more destinations. The guest's routing table (root's, not the
            // command's) sends those nowhere.
            blackholes.Add("10.0.2.2/32");
            foreach (var address in HostAddresses())
            {
                blackholes.Add(address + "/32");
            }
        }

        return new JsonObject
        {
            ["type"] = "run",
            ["command"] = spec.Command,
            ["args"] = new JsonArray([.. spec.Arguments.Select(a => (JsonNode?)a)]),
            ["env"] = env,
            ["uid"] = _options.SandboxUid,
            ["exposePort"] = spec.Network.ExposePort,
            ["memoryBytes"] = spec.Resources.MemoryBytes,
            ["pidsLimit"] = spec.Resources.PidsLimit,
            ["cpuCores"] = spec.Resources.CpuCores,
            ["disks"] = new JsonArray([.. shares.Select(s => (JsonNode?)new JsonObject { ["label"] = s.Label, ["path"] = s.GuestPath, ["fresh"] = true })]),
            ["binds"] = new JsonArray([.. binds.Select(b => (JsonNode?)new JsonObject { ["source"] = b.Source, ["path"] = b.Path })]),
            ["hosts"] = new JsonArray([.. spec.InternalHosts.Select(h => h.Name).Distinct(StringComparer.OrdinalIgnoreCase)
                .Select(name => (JsonNode?)new JsonObject { ["name"] = name, ["address"] = QemuMachine.InternalHostsAddress })]),
            ["blackholes"] = blackholes,
            ["dns"] = allow ? "10.0.2.3" : null,
        };
    }

    private long GuestMemoryMiB(long limitBytes) =>
        Math.Max(_options.MinimumGuestMemoryBytes, limitBytes + _options.GuestOverheadBytes) / (1024 * 1024);

    private (string Kernel, string Initramfs, string Disk) ReadImage(SandboxSpec spec)
    {
        var json = Path.Combine(_options.ImageDirectory, "image.json");
        if (!File.Exists(json))
        {
            throw new SandboxException($"No qemu image in {_options.ImageDirectory}: is it built (images/qemu/build)?");
        }

        using var document = JsonDocument.Parse(File.ReadAllText(json));
        var root = document.RootElement;
        var rootfs = root.GetProperty("rootfs").GetString()!;
        if (spec.Image is { RootDirectory: var wanted } && Path.GetFullPath(wanted).TrimEnd('/') != Path.GetFullPath(rootfs).TrimEnd('/'))
        {
            throw new SandboxException($"The qemu image in {_options.ImageDirectory} holds {rootfs}, not the image root {wanted}: build a disk for it (images/qemu/build --agent-base)");
        }

        string ImageFile(string name) => Path.Combine(_options.ImageDirectory, root.GetProperty(name).GetString()!);
        return (ImageFile("kernel"), ImageFile("initramfs"), ImageFile("disk"));
    }

    private static IEnumerable<string> HostAddresses() =>
        NetworkInterface.GetAllNetworkInterfaces()
            .SelectMany(i => i.GetIPProperties().UnicastAddresses)
            .Select(a => a.Address)
            .Where(a => a.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(a))
            .Select(a => a.ToString())
            .Distinct();

    internal static int FreeLoopbackPort()
    {
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)probe.LocalEndPoint!).Port;
    }

    /// <summary>The host's TSC rate, which is what a TCG guest reads from rdtsc.</summary>
    private static long HostTscKhz()
    {
        foreach (var line in File.ReadLines("/proc/cpuinfo"))
        {
            if (line.StartsWith("cpu MHz", StringComparison.Ordinal))
            {
                return (long)(double.Parse(line[(line.IndexOf(':') + 1)..].Trim(), CultureInfo.InvariantCulture) * 1000);
            }
        }

        return 0;
    }

    private static void TryMove(string from, string to)
    {
        if (File.Exists(from) && !File.Exists(to))
        {
            File.Move(from, to);
        }
    }

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
            QemuLog.CleanupFailed(logger, instanceId, step, exception);
        }
    }

    private static void Validate(SandboxSpec spec)
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

        foreach (var (name, value) in spec.Environment.Concat(spec.Image?.Environment ?? new Dictionary<string, string>()))
        {
            if (name.Length == 0 || name.Contains('=') || name.Contains('\0') || value.Contains('\0'))
            {
                throw new ArgumentException($"Environment variable '{name}' has an invalid name or value", nameof(spec));
            }
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
