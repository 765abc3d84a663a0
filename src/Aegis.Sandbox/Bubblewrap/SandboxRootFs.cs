using System.Globalization;
using System.Text;

namespace Aegis.Sandbox.Bubblewrap;

/// <summary>
/// Builds the bwrap arguments for the sandbox's filesystem, namespaces and environment, and writes the generated
/// <c>/etc</c> files. See README.md in this folder for what the sandbox ends up seeing.
/// </summary>
internal static class SandboxRootFs
{
    public const string Hostname = "sandbox";

    /// <summary>Top-level directories that merged-/usr hosts have as symlinks into /usr; bound as-is otherwise.</summary>
    private static readonly string[] UsrLinks = ["bin", "sbin", "lib", "lib32", "lib64", "libx32"];

    /// <summary>Host /etc entries a userland needs to resolve names, verify TLS and find alternatives.</summary>
    private static readonly string[] HostEtc =
    [
        "resolv.conf", "nsswitch.conf", "ssl", "ca-certificates", "ca-certificates.conf", "alternatives",
        "ld.so.cache", "ld.so.conf", "ld.so.conf.d", "localtime", "timezone", "mime.types", "protocols", "services",
    ];

    /// <summary>
    /// The same from an image's etc/, where they belong to the image's /usr (its ld.so.cache lists its libraries), plus
    /// the files that say which system it is. Not resolv.conf: the sandbox's DNS is the host's network, not the image's.
    /// </summary>
    private static readonly string[] ImageEtc =
    [
        "nsswitch.conf", "ssl", "ca-certificates", "ca-certificates.conf", "alternatives",
        "ld.so.cache", "ld.so.conf", "ld.so.conf.d", "localtime", "timezone", "mime.types", "protocols", "services",
        "gai.conf", "host.conf", "debian_version", "os-release",
    ];

    /// <summary>
    /// Writes passwd, group, hosts and hostname for one sandbox into <paramref name="etcDirectory"/>; every internal
    /// host name resolves to <paramref name="internalHostsAddress"/>, where the host relays its declared ports.
    /// </summary>
    public static void WriteEtc(string etcDirectory, SandboxSpec spec, int uid, System.Net.IPAddress internalHostsAddress)
    {
        Directory.CreateDirectory(etcDirectory);
        var id = uid.ToString(CultureInfo.InvariantCulture);
        File.WriteAllText(Path.Combine(etcDirectory, "passwd"),
            $"root:x:0:0:root:/root:/usr/sbin/nologin\nsandbox:x:{id}:{id}:sandbox:/workspace:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n");
        File.WriteAllText(Path.Combine(etcDirectory, "group"), $"root:x:0:\nsandbox:x:{id}:\nnogroup:x:65534:\n");
        File.WriteAllText(Path.Combine(etcDirectory, "hostname"), Hostname + "\n");

        var hosts = new StringBuilder($"127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n127.0.1.1\t{Hostname}\n");
        foreach (var name in spec.InternalHosts.Select(h => h.Name).Distinct(StringComparer.OrdinalIgnoreCase))
        {
            hosts.Append(CultureInfo.InvariantCulture, $"{internalHostsAddress}\t{name}\n");
        }

        File.WriteAllText(Path.Combine(etcDirectory, "hosts"), hosts.ToString());
    }

    /// <summary>
    /// The options bwrap reads from its <c>--args</c> pipe: everything but the command. The environment is in here,
    /// so secrets never appear in any <c>/proc/&lt;pid&gt;/cmdline</c>.
    /// </summary>
    /// <param name="agentDirectory">What is shown at <c>/agent</c>: the release read-only, or (with
    /// <paramref name="agentWritable"/>) the overlay of the instance layer on it; null for none.</param>
    /// <param name="poolDirectory">A prepared sandbox's directory with the FIFO its placeholder reads the start script
    /// from (<see cref="PreparedSlot"/>), shown read-only at <see cref="PreparedSlot.GuestDirectory"/>; null otherwise.</param>
    public static List<string> BuildOptions(
        SandboxSpec spec, string etcDirectory, string canvasDirectory, string controlSocket, int uid, string? agentDirectory, bool agentWritable,
        string? poolDirectory = null)
    {
        var id = uid.ToString(CultureInfo.InvariantCulture);
        List<string> args =
        [
            // A user namespace mapping the sandbox uid to root: no capability on the host, yet the workspace
            // (owned by the daemon's root) stays writable. Nested namespaces are refused.
            "--unshare-user", "--uid", id, "--gid", id, "--disable-userns",
            "--unshare-pid", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try", "--hostname", Hostname,

            // The network namespace is entered from outside (nsenter) so the host can wire it up first.
            "--die-with-parent", "--new-session",
        ];

        // The userland: the image's when there is one, else the host's.
        var root = spec.Image?.RootDirectory ?? "/";
        args.AddRange(["--ro-bind", Path.Combine(root, "usr"), "/usr"]);
        foreach (var name in UsrLinks)
        {
            AddReadOnly(args, Path.Combine(root, name), "/" + name);
        }

        if (spec.Image is null)
        {
            foreach (var name in HostEtc)
            {
                args.AddRange(["--ro-bind-try", "/etc/" + name, "/etc/" + name]);
            }
        }
        else
        {
            args.AddRange(["--ro-bind-try", "/etc/resolv.conf", "/etc/resolv.conf"]);
            foreach (var name in ImageEtc)
            {
                AddReadOnly(args, Path.Combine(root, "etc", name), "/etc/" + name);
            }

            AddReadOnly(args, Path.Combine(root, "opt"), "/opt");
        }

        foreach (var name in new[] { "passwd", "group", "hosts", "hostname" })
        {
            args.AddRange(["--ro-bind", Path.Combine(etcDirectory, name), "/etc/" + name]);
        }

        args.AddRange(
        [
            "--proc", "/proc",
            "--dev", "/dev",
            "--tmpfs", "/dev/shm",
            "--tmpfs", "/tmp",
            "--bind", spec.WorkspaceDirectory, "/workspace",
            "--bind", canvasDirectory, "/canvas",

            // The host listens on this socket; the guest connects to it (docs/control-channel.md).
            "--bind", controlSocket, Control.SandboxControlChannel.GuestPath,
        ]);

        // The release (immutable, shared by every instance of it) at /agent: the agent's code; writable only as the
        // instance's own overlay layer on it.
        if (agentDirectory is not null)
        {
            args.AddRange([agentWritable ? "--bind" : "--ro-bind", agentDirectory, "/agent"]);
        }

        if (poolDirectory is not null)
        {
            args.AddRange(["--ro-bind", poolDirectory, PreparedSlot.GuestDirectory]);
        }

        args.AddRange(
        [

            // The root itself is bwrap's tmpfs holding only the mount points above; nothing may be added to it.
            "--remount-ro", "/",
            "--chdir", "/workspace",
            "--clearenv",
        ]);

        var environment = new Dictionary<string, string>(spec.Image?.Environment ?? new Dictionary<string, string>(), StringComparer.Ordinal);
        foreach (var (name, value) in spec.Environment)
        {
            environment[name] = value;
        }

        environment.TryAdd("PATH", "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin");
        foreach (var (name, value) in environment)
        {
            args.AddRange(["--setenv", name, value]);
        }

        return args;
    }

    /// <summary>
    /// Shows <paramref name="source"/> at <paramref name="destination"/>, read-only, if it exists. A symlink becomes the
    /// same symlink inside, resolved there: bwrap would resolve it on the host, where an image's <c>/usr/...</c> target
    /// names the host's file, not the image's.
    /// </summary>
    private static void AddReadOnly(List<string> args, string source, string destination)
    {
        var info = new FileInfo(source);
        if (info.LinkTarget is { } target)
        {
            args.AddRange(["--symlink", target, destination]);
        }
        else if (info.Exists || Directory.Exists(source))
        {
            args.AddRange(["--ro-bind", source, destination]);
        }
    }

    /// <summary>NUL-separated, as <c>bwrap --args</c> reads them.</summary>
    public static byte[] Encode(IEnumerable<string> options)
    {
        var text = new StringBuilder();
        foreach (var option in options)
        {
            text.Append(option).Append('\0');
        }

        return Encoding.UTF8.GetBytes(text.ToString());
    }
}
