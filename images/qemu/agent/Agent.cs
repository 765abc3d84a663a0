using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Aegis.GuestAgent;

/// <summary>
/// The guest agent. Lines of JSON on the virtio-serial port <c>aegis.agent</c> (protocol in images/qemu/README.md);
/// the command's stdout and stderr go raw to the port <c>aegis.log</c>.
/// </summary>
internal sealed class Agent
{
    private const string Cgroup = "/sys/fs/cgroup/payload";
    private const string BusyBox = "/opt/aegis/bin/busybox";
    private const string AgentBinary = "/opt/aegis/bin/aegis-agent";

    // Joins the payload cgroup before anything of the command runs, then gives it its own pid and mount namespace
    // (a /proc of its own) and drops root for good.
    private const string Launcher = """
        procs=$1 uid=$2 reaper=$3; shift 3
        echo $$ > "$procs" || exit 125
        exec /usr/bin/unshare --pid --fork --mount-proc --kill-child=KILL -- \
          /usr/bin/setpriv --reuid="$uid" --regid="$uid" --clear-groups --inh-caps=-all --bounding-set=-all --no-new-privs -- \
          /bin/sh -c "$reaper" aegis-reaper "$@"
        """;

    // pid 1 of the payload's namespace: reaps orphans and passes SIGTERM on to the command (a namespace's init
    // ignores signals it has no handler for), so the command itself is pid 2, as in the bwrap backend.
    private const string Reaper = """
        trap 'kill -TERM $c 2>/dev/null' TERM
        "$@" </dev/null & c=$!
        while :; do wait $c; s=$?; kill -0 $c 2>/dev/null || break; done
        exit $s
        """;

    private readonly Lock _portLock = new();
    private readonly Lock _logLock = new();
    private readonly ControlRelay _control;
    private FileStream _port = null!;
    private FileStream _log = null!;
    private Process? _payload;
    private bool _exited;
    private volatile bool _portOpen;

    public Agent()
    {
        _control = new ControlRelay(Send);
    }

    public async Task RunAsync()
    {
        PrepareSystem();
        _port = OpenPort("aegis.agent");
        _log = OpenPort("aegis.log");
        Send(w => w.WriteString("type", "ready"));
        using var reader = new StreamReader(_port, Encoding.UTF8, false, 64 * 1024, leaveOpen: true);
        while (true)
        {
            var line = await Task.Run(reader.ReadLine);
            if (line is null)
            {
                // The host end went away (VMM restarted for a restore): the port reads EOF until it is back.
                await Task.Delay(100);
                continue;
            }

            using var message = JsonDocument.Parse(line);
            var root = message.RootElement;

            // The guest's clock comes from the emulated RTC at boot (whole seconds, late under TCG) and stands still in
            // a snapshot: the host's time, sent with run and hello, is the one that counts (TLS, tokens, logs).
            if (root.TryGetProperty("time", out var time) && time.TryGetInt64(out var unixMilliseconds))
            {
                Native.SetClock(unixMilliseconds);
            }

            switch (root.GetProperty("type").GetString())
            {
                case "run" when _payload is null:
                    Start(root);
                    break;
                case "thaw":
                    await FreezeAsync(false);
                    break;
                case "hello":
                    await FreezeAsync(false);

                    // Sent after a restore: every TCP connection through slirp (internal hosts, egress, the router's)
                    // died with the old VMM, but the guest's TCP would notice only when it next sends. Closing them now
                    // lets programs reconnect at once (ECONNABORTED) instead of after their keepalive.
                    CloseNetworkConnections();
                    Send(w =>
                    {
                        w.WriteString("type", "state");
                        w.WriteBoolean("running", _payload is not null && !_exited);
                        w.WriteBoolean("control", _control.Connected);
                        w.WriteBoolean("port", _portOpen);
                    });
                    break;
                case "signal":
                    SignalMain(root.GetProperty("signal").GetInt32());
                    break;
                case "kill":
                    KillAll();
                    break;
                case "control":
                    _control.Write(root.GetProperty("line").GetString() ?? "");
                    break;
                case "sync":
                    // For a snapshot: the command is frozen first, so the synced disks are exactly what the snapshot
                    // holds (no write lands between the sync and the VM's stop); it thaws on the restore's hello.
                    if (root.TryGetProperty("freeze", out var freeze) && freeze.GetBoolean())
                    {
                        await FreezeAsync(true);
                    }

                    Native.Sync();

                    // Clean caches are worth nothing in a snapshot: freed pages are zeroed (init_on_free), and QEMU
                    // writes a zero page as a few bytes.
                    if (root.TryGetProperty("dropCaches", out var drop) && drop.GetBoolean())
                    {
                        File.WriteAllText("/proc/sys/vm/drop_caches", "3");
                    }

                    var id = root.GetProperty("id").GetInt64();
                    Send(w =>
                    {
                        w.WriteString("type", "synced");
                        w.WriteNumber("id", id);
                    });
                    break;
                default:
                    break;
            }
        }
    }

    private static void PrepareSystem()
    {
        Native.Mount("proc", "/proc", "proc", Native.MsNoSuid | Native.MsNoDev);
        Native.Mount("sysfs", "/sys", "sysfs", Native.MsNoSuid | Native.MsNoDev);
        Native.Mount("cgroup2", "/sys/fs/cgroup", "cgroup2", Native.MsNoSuid | Native.MsNoDev);
        Native.Mount("tmpfs", "/run", "tmpfs", Native.MsNoSuid | Native.MsNoDev, "mode=755");
        Native.Mount("tmpfs", "/tmp", "tmpfs", Native.MsNoSuid | Native.MsNoDev, "mode=1777");
        Native.Mount("devpts", "/dev/pts", "devpts", Native.MsNoSuid, "mode=620,ptmxmode=666");
        Native.Mount("tmpfs", "/dev/shm", "tmpfs", Native.MsNoSuid | Native.MsNoDev, "mode=1777");
        Native.SetHostName("sandbox");
    }

    private static FileStream OpenPort(string name)
    {
        foreach (var directory in Directory.EnumerateDirectories("/sys/class/virtio-ports"))
        {
            var file = Path.Combine(directory, "name");
            if (File.Exists(file) && File.ReadAllText(file).Trim() == name)
            {
                return new FileStream("/dev/" + Path.GetFileName(directory), FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite, 0);
            }
        }

        throw new IOException($"no virtio-serial port named {name}");
    }

    private void Start(JsonElement spec)
    {
        try
        {
            StartCore(spec);
        }
        catch (Exception exception)
        {
            var text = Encoding.UTF8.GetBytes($"aegis-agent: cannot start the command: {exception.Message}\n");
            _log.Write(text);
            Finish(125, oomKilled: false);
        }
    }

    private void StartCore(JsonElement spec)
    {
        var uid = spec.GetProperty("uid").GetInt32();
        var disks = LabelledDisks();
        foreach (var disk in spec.GetProperty("disks").EnumerateArray())
        {
            var label = disk.GetProperty("label").GetString()!;
            var target = disk.GetProperty("path").GetString()!;
            var device = disks.TryGetValue(label, out var found) ? found : throw new IOException($"no disk labelled {label}");
            var readOnly = disk.TryGetProperty("readOnly", out var ro) && ro.GetBoolean();
            Native.Mount(device, target, "ext4", Native.MsNoSuid | Native.MsNoDev | (readOnly ? Native.MsReadOnly : 0), readOnly ? "noload" : null);
            if (disk.GetProperty("fresh").GetBoolean())
            {
                Run("/bin/chown", "-R", $"{uid}:{uid}", target);
            }
        }

        foreach (var bind in spec.GetProperty("binds").EnumerateArray())
        {
            var source = bind.GetProperty("source").GetString()!;
            Directory.CreateDirectory(source);
            Native.Mount(source, bind.GetProperty("path").GetString()!, null, Native.MsBind);
        }

        WriteEtc(spec, uid);

        // As on bwrap: the command's uid may bind port 80, the port the router forwards to.
        File.WriteAllText("/proc/sys/net/ipv4/ip_unprivileged_port_start", "0");
        foreach (var route in spec.GetProperty("blackholes").EnumerateArray())
        {
            Run(BusyBox, "ip", "route", "add", "blackhole", route.GetString()!);
        }

        PrepareCgroup(spec.GetProperty("memoryBytes").GetInt64(), spec.GetProperty("pidsLimit").GetInt32(), spec.GetProperty("cpuCores").GetDecimal());

        // The environment goes through a file only the command's uid can read, never through a root process.
        Directory.CreateDirectory("/run/aegis/launch");
        Run("/bin/chown", $"{uid}:{uid}", "/run/aegis/launch");
        File.SetUnixFileMode("/run/aegis/launch", UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var envFile = "/run/aegis/launch/env";
        var environment = new StringBuilder();
        foreach (var variable in spec.GetProperty("env").EnumerateObject())
        {
            environment.Append(variable.Name).Append('=').Append(variable.Value.GetString()).Append('\0');
        }

        File.WriteAllText(envFile, environment.ToString());
        File.SetUnixFileMode(envFile, UnixFileMode.UserRead);
        Run("/bin/chown", $"{uid}:{uid}", envFile);
        _control.Listen("/run/aegis/control.sock");

        var startInfo = new ProcessStartInfo("/bin/sh")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = "/workspace",
        };
        startInfo.Environment.Clear();
        startInfo.Environment["PATH"] = "/usr/sbin:/usr/bin:/sbin:/bin";
        foreach (var argument in new[] { "-c", Launcher, "aegis-launcher", Cgroup + "/cgroup.procs", uid.ToString(CultureInfo.InvariantCulture), Reaper, AgentBinary, "exec-env", envFile, spec.GetProperty("command").GetString()! })
        {
            startInfo.ArgumentList.Add(argument);
        }

        foreach (var argument in spec.GetProperty("args").EnumerateArray())
        {
            startInfo.ArgumentList.Add(argument.GetString()!);
        }

        _payload = Process.Start(startInfo)!;
        Send(w => w.WriteString("type", "started"));
        _ = SuperviseAsync(_payload);
        _ = WatchPortAsync(spec.GetProperty("exposePort").GetInt32());
    }

    private async Task SuperviseAsync(Process payload)
    {
        var stdout = PumpAsync(payload.StandardOutput.BaseStream);
        var stderr = PumpAsync(payload.StandardError.BaseStream);
        var exit = payload.WaitForExitAsync();
        var oomKilled = false;
        var polls = 0;
        while (!exit.IsCompleted)
        {
            // About once a second: what the command uses, for the host's usage (its own view of QEMU is the whole VM).
            if (++polls % 5 == 0)
            {
                ReportUsage();
            }

            await Task.WhenAny(exit, Task.Delay(200));

            // One OOM kill inside the limit leaves the sandbox in an undefined state: all of it goes, as on bwrap.
            if (!oomKilled && OomKills() > 0)
            {
                oomKilled = true;
                KillAll();
            }
        }

        await Task.WhenAll(stdout, stderr);
        oomKilled |= OomKills() > 0;
        KillAll();
        Finish(payload.ExitCode, oomKilled);
    }

    /// <summary>
    /// Tells the host whether something listens on the exposed port: slirp's forward accepts on the host whatever the
    /// guest does, so the host opens its own end only while this says the port is open.
    /// </summary>
    private async Task WatchPortAsync(int port)
    {
        var needle = $":{port:X4} ";
        while (!_exited)
        {
            var open = false;
            foreach (var table in new[] { "/proc/net/tcp", "/proc/net/tcp6" })
            {
                try
                {
                    // Columns: sl local_address rem_address st ...; st 0A is LISTEN.
                    open |= File.ReadLines(table).Skip(1).Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                        .Any(c => c.Length > 3 && (c[1] + " ").EndsWith(needle, StringComparison.Ordinal) && c[3] == "0A");
                }
                catch (IOException)
                {
                }
            }

            if (open != _portOpen)
            {
                _portOpen = open;
                Send(w =>
                {
                    w.WriteString("type", "port");
                    w.WriteBoolean("open", open);
                });
            }

            await Task.Delay(100);
        }
    }

    private void Finish(int exitCode, bool oomKilled)
    {
        _exited = true;
        Send(w =>
        {
            w.WriteString("type", "exit");
            w.WriteNumber("code", exitCode);
            w.WriteBoolean("oomKilled", oomKilled);
        });
        _port.Flush();
        _log.Flush();

        // Give the host a moment to read the last lines before the VM goes away.
        Thread.Sleep(200);
        Native.PowerOff();
    }

    private async Task PumpAsync(Stream from)
    {
        var buffer = new byte[16 * 1024];
        int read;
        while ((read = await from.ReadAsync(buffer)) > 0)
        {
            lock (_logLock)
            {
                _log.Write(buffer, 0, read);
            }
        }
    }

    private void SignalMain(int signal)
    {
        // The launcher became unshare; its only child is the namespace's pid 1, the reaper, which passes SIGTERM on.
        if (_payload is { HasExited: false } payload
            && File.ReadAllText($"/proc/{payload.Id}/task/{payload.Id}/children").Split(' ', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() is { } reaper)
        {
            Native.Kill(int.Parse(reaper, CultureInfo.InvariantCulture), signal);
        }
    }

    private static async Task FreezeAsync(bool frozen)
    {
        try
        {
            await File.WriteAllTextAsync(Cgroup + "/cgroup.freeze", frozen ? "1" : "0");
            for (var i = 0; i < 200 && !File.ReadAllText(Cgroup + "/cgroup.events").Contains(frozen ? "frozen 1" : "frozen 0", StringComparison.Ordinal); i++)
            {
                await Task.Delay(10);
            }
        }
        catch (IOException)
        {
            // No command (yet): nothing to freeze.
        }
    }

    private static void CloseNetworkConnections()
    {
        try
        {
            // Not the listeners (state connected) and not loopback: those live entirely in the guest.
            var startInfo = new ProcessStartInfo("/usr/bin/ss") { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var argument in new[] { "-K", "-t", "state", "connected", "not", "dst", "127.0.0.0/8" })
            {
                startInfo.ArgumentList.Add(argument);
            }

            using var ss = Process.Start(startInfo)!;
            ss.StandardOutput.ReadToEnd();
            ss.StandardError.ReadToEnd();
            ss.WaitForExit();
        }
        catch (Exception exception) when (exception is IOException or System.ComponentModel.Win32Exception)
        {
            // Without ss the programs find out on their own, at their next send.
        }
    }

    private static void KillAll()
    {
        try
        {
            File.WriteAllText(Cgroup + "/cgroup.kill", "1");
        }
        catch (IOException)
        {
            // No cgroup yet: nothing runs.
        }
    }

    private void ReportUsage()
    {
        try
        {
            var memory = ReadNumber(Cgroup + "/memory.current");
            var peak = File.Exists(Cgroup + "/memory.peak") ? ReadNumber(Cgroup + "/memory.peak") : -1;
            var cpu = File.ReadLines(Cgroup + "/cpu.stat").Where(l => l.StartsWith("usage_usec ", StringComparison.Ordinal))
                .Select(l => long.Parse(l[11..], CultureInfo.InvariantCulture)).FirstOrDefault();
            var pids = ReadNumber(Cgroup + "/pids.current");
            Send(w =>
            {
                w.WriteString("type", "usage");
                w.WriteNumber("memory", memory);
                if (peak >= 0)
                {
                    w.WriteNumber("peak", peak);
                }

                w.WriteNumber("cpuUsec", cpu);
                w.WriteNumber("pids", pids);
            });
        }
        catch (Exception exception) when (exception is IOException or FormatException)
        {
            // The cgroup is going away with the command.
        }
    }

    private static long ReadNumber(string path) => long.Parse(File.ReadAllText(path).Trim(), CultureInfo.InvariantCulture);

    private static long OomKills()
    {
        try
        {
            foreach (var line in File.ReadAllLines(Cgroup + "/memory.events"))
            {
                if (line.StartsWith("oom_kill ", StringComparison.Ordinal))
                {
                    return long.Parse(line[9..], CultureInfo.InvariantCulture);
                }
            }
        }
        catch (IOException)
        {
        }

        return 0;
    }

    private static void PrepareCgroup(long memoryBytes, int pidsLimit, decimal cpuCores)
    {
        File.WriteAllText("/sys/fs/cgroup/cgroup.subtree_control", "+memory +pids +cpu");
        Directory.CreateDirectory(Cgroup);
        File.WriteAllText(Cgroup + "/memory.max", memoryBytes.ToString(CultureInfo.InvariantCulture));
        File.WriteAllText(Cgroup + "/memory.swap.max", "0");
        File.WriteAllText(Cgroup + "/memory.oom.group", "1");
        File.WriteAllText(Cgroup + "/pids.max", pidsLimit.ToString(CultureInfo.InvariantCulture));
        const int period = 100_000;
        File.WriteAllText(Cgroup + "/cpu.max", $"{(long)(cpuCores * period)} {period}");
    }

    private static void WriteEtc(JsonElement spec, int uid)
    {
        var id = uid.ToString(CultureInfo.InvariantCulture);
        File.WriteAllText("/etc/hostname", "sandbox\n");
        var hosts = new StringBuilder("127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n127.0.1.1\tsandbox\n");
        foreach (var host in spec.GetProperty("hosts").EnumerateArray())
        {
            hosts.Append(host.GetProperty("address").GetString()).Append('\t').Append(host.GetProperty("name").GetString()).Append('\n');
        }

        File.WriteAllText("/etc/hosts", hosts.ToString());
        File.WriteAllText("/etc/resolv.conf", spec.TryGetProperty("dns", out var dns) && dns.GetString() is { } server ? $"nameserver {server}\n" : "");
        var passwd = File.ReadAllLines("/etc/passwd").Where(l => !l.StartsWith("sandbox:", StringComparison.Ordinal));
        File.WriteAllLines("/etc/passwd", [.. passwd, $"sandbox:x:{id}:{id}:sandbox:/workspace:/bin/sh"]);
        var group = File.ReadAllLines("/etc/group").Where(l => !l.StartsWith("sandbox:", StringComparison.Ordinal));
        File.WriteAllLines("/etc/group", [.. group, $"sandbox:x:{id}:"]);
    }

    /// <summary>The ext4 label of every virtio disk, read from its superblock: the host names disks by label, not order.</summary>
    private static Dictionary<string, string> LabelledDisks()
    {
        var disks = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var device in Directory.EnumerateFileSystemEntries("/sys/class/block", "vd*").Select(Path.GetFileName))
        {
            try
            {
                using var stream = new FileStream("/dev/" + device, FileMode.Open, FileAccess.Read);
                var superblock = new byte[1024];
                stream.Seek(1024, SeekOrigin.Begin);
                stream.ReadExactly(superblock);
                if (superblock[56] == 0x53 && superblock[57] == 0xEF)
                {
                    var label = Encoding.ASCII.GetString(superblock, 120, 16).TrimEnd('\0');
                    disks[label] = "/dev/" + device;
                }
            }
            catch (IOException)
            {
            }
        }

        return disks;
    }

    private static void Run(string file, params string[] arguments)
    {
        using var process = Process.Start(file, arguments);
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new IOException($"{file} {string.Join(' ', arguments)} failed with {process.ExitCode}");
        }
    }

    private void Send(Action<Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            write(writer);
            writer.WriteEndObject();
        }

        buffer.WriteByte((byte)'\n');
        lock (_portLock)
        {
            _port.Write(buffer.GetBuffer(), 0, (int)buffer.Length);
        }
    }
}
