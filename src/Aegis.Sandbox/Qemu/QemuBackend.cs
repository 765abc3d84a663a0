using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
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

    /// <summary>No warm pool: a booted microvm cannot be given its release and workspace disks afterwards.</summary>
    public bool SupportsPreparation => false;

    public Task<IPreparedSandbox> PrepareAsync(SandboxTemplate template, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException("The qemu backend cannot prepare sandboxes ahead of demand: a booted microvm cannot be given its release and workspace disks.");

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

        foreach (var tool in new[] { _options.QemuPath, _options.SetprivPath, _options.QemuImgPath, _options.SocatPath, _options.MkfsPath, _options.DebugfsPath, _options.FsckPath })
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

            var release = spec.ReleaseDirectory is { } releaseDirectory ? await ReleaseDisk.EnsureAsync(_options, releaseDirectory, cancellationToken) : null;

            var machine = new QemuMachine
            {
                Accelerator = accelerator.Name,
                MemoryMiB = GuestMemoryMiB(spec.Resources.MemoryBytes),
                Cpus = Math.Max(1, (int)Math.Ceiling(spec.Resources.CpuCores)),
                ShareLabels = [.. shares.Select(s => s.Label)],
                Release = release is not null,
                TscKhz = accelerator.IsKvm ? 0 : HostTscKhz(),
                ImageKey = image.Key,
            };
            await LaunchAsync(setup, machine, shares, release, incoming: null, cancellationToken);
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

    public bool SupportsSnapshots => true;

    /// <inheritdoc />
    public async Task<SandboxSnapshot> SnapshotAsync(ISandbox sandbox, string directory, CancellationToken cancellationToken = default)
    {
        if (sandbox is not QemuSandbox qemu)
        {
            throw new ArgumentException($"Sandbox {sandbox.Id} is not a qemu sandbox", nameof(sandbox));
        }

        var snapshot = await qemu.SnapshotAsync(directory, cancellationToken);
        return new SandboxSnapshot(snapshot.Directory, snapshot.MemoryBytes, snapshot.TotalBytes);
    }

    /// <inheritdoc />
    public async Task<ISandbox> RestoreAsync(SandboxSpec spec, string directory, CancellationToken cancellationToken = default) =>
        await RestoreAsync(spec, QemuSnapshot.Load(directory), cancellationToken);

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

        if (machine.ImageKey is null || machine.ImageKey != image.Key)
        {
            // The instance layer is a diff against the image's root disk, and the guest's memory holds that filesystem:
            // over a rebuilt root disk both would be wrong.
            throw new SandboxException($"Snapshot {snapshot.Directory} was taken on image {Short(machine.ImageKey)}; {_options.ImageDirectory} now holds image {Short(image.Key)} (rebuilt)");
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

            if (machine.Release != spec.ReleaseDirectory is not null)
            {
                throw new SandboxException($"Snapshot {snapshot.Directory} {(machine.Release ? "has" : "has no")} release disk, the spec {(machine.Release ? "has no" : "has a")} release");
            }

            var release = spec.ReleaseDirectory is { } releaseDirectory ? await ReleaseDisk.EnsureAsync(_options, releaseDirectory, cancellationToken) : null;
            File.Move(snapshot.Overlay, paths.Overlay);
            for (var i = 0; i < plannedShares.Count; i++)
            {
                File.Move(snapshot.Share(i), plannedShares[i].ImagePath);
            }

            await LaunchAsync(setup, machine, plannedShares, release, snapshot.Memory, cancellationToken);
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
    public async Task<IReadOnlyList<string>> ForgetReleaseAsync(string releaseDirectory, CancellationToken cancellationToken = default) =>
        await ReleaseDisk.DeleteAsync(_options, releaseDirectory, cancellationToken) is { } deleted ? [$"release disk {deleted}"] : [];

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
                if (File.Exists(share.ImagePath) && Directory.Exists(share.HostDirectory)
                    && await TryAsync(_logger, instanceId, "export " + share.GuestPath, () => share.ExportAsync(_options, copyFirst: false, cancellationToken)))
                {
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

    private async Task LaunchAsync(Setup setup, QemuMachine machine, IReadOnlyList<ShareDisk> shares, string? release, string? incoming, CancellationToken cancellationToken)
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

        // QEMU dies with aegisd, as bwrap sandboxes do (--die-with-parent); a restarted aegisd removes the rest
        // (RemoveLeftoversAsync). PR_SET_PDEATHSIG fires when the forking thread exits, hence ProcessSpawner's thread.
        var startInfo = new ProcessStartInfo(_options.SetprivPath)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "--pdeathsig", "KILL", "--", _options.QemuPath })
        {
            startInfo.ArgumentList.Add(argument);
        }

        foreach (var argument in machine.Arguments(_options, paths, setup.ForwardPort, spec, [.. shares.Select(s => s.ImagePath)], release, incoming))
        {
            startInfo.ArgumentList.Add(argument);
        }

        // QEMU and the socat relays it runs see none of aegisd's environment.
        startInfo.Environment.Clear();
        startInfo.Environment["PATH"] = "/usr/sbin:/usr/bin:/sbin:/bin";
        setup.Process = await Bubblewrap.ProcessSpawner.StartAsync(startInfo, _options.Scheduling);
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

    private long GuestMemoryMiB(long limitBytes) =>
        Math.Max(_options.MinimumGuestMemoryBytes, limitBytes + _options.GuestOverheadBytes) / (1024 * 1024);

    private (string Kernel, string Initramfs, string Disk, string? Key) ReadImage(SandboxSpec spec)
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
        var key = root.TryGetProperty("key", out var k) ? k.GetString() : null;
        return (ImageFile("kernel"), ImageFile("initramfs"), ImageFile("disk"), key);
    }

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

    private static string Short(string? key) => key is null ? "(unknown)" : key[..Math.Min(12, key.Length)];

    private static void TryMove(string from, string to)
    {
        if (File.Exists(from) && !File.Exists(to))
        {
            File.Move(from, to);
        }
    }

    /// <summary>One cleanup step; a failure is logged, not thrown. True when the step was done.</summary>
    internal static async Task<bool> TryAsync(ILogger logger, string instanceId, string step, Func<Task> action)
    {
        try
        {
            await action();
            return true;
        }
        catch (DirectoryNotFoundException)
        {
            // Already gone.
        }
        catch (Exception exception)
        {
            QemuLog.CleanupFailed(logger, instanceId, step, exception);
        }

        return false;
    }
}
