using System.Globalization;
using System.Net;
using System.Text;

namespace Aegis.Sandbox.Qemu;

/// <summary>
/// Everything that decides a VM's device model. A restore must build exactly the same machine (the migration stream
/// holds device state, not the configuration), so this record is stored with a snapshot; only host-side paths and the
/// forwarded port may differ.
/// </summary>
internal sealed record QemuMachine
{
    /// <summary>The in-guest address slirp gives every internal host; guestfwd relays its declared ports.</summary>
    public const string InternalHostsAddress = "10.0.2.100";

    public required string Accelerator { get; init; }

    public required long MemoryMiB { get; init; }

    public required int Cpus { get; init; }

    /// <summary>Labels and guest paths of the share disks, in device order.</summary>
    public required IReadOnlyList<string> ShareLabels { get; init; }

    /// <summary>Whether the release disk (<c>/agent</c>) is attached, after the share disks.</summary>
    public bool Release { get; init; }

    /// <summary>TSC frequency passed to a TCG guest, whose calibration against the emulated PIT is unreliable under load.</summary>
    public long TscKhz { get; init; }

    /// <summary>The build key of the image (image.json <c>key</c>) whose root disk the instance layer sits on.</summary>
    public string? ImageKey { get; init; }

    public IEnumerable<string> Arguments(QemuOptions options, QemuPaths paths, int hostPort, SandboxSpec spec, IReadOnlyList<string> shareImages, string? releaseImage, string? incoming)
    {
        var tcg = Accelerator == "tcg";
        // init_on_free: a freed page is zeroed, so a snapshot carries only memory in use.
        var append = new StringBuilder("console=ttyS0 panic=-1 reboot=t quiet loglevel=3 init_on_free=1");
        if (tcg && TscKhz > 0)
        {
            // lpj for the guest kernel's HZ=250: skips the delay-loop calibration, slow and erratic under TCG.
            append.Append(CultureInfo.InvariantCulture, $" tsc_early_khz={TscKhz} lpj={TscKhz * 1000 / 250}");
        }

        List<string> args =
        [
            "-name", "aegis-" + spec.InstanceId,
            "-M", "microvm,acpi=on,pit=on,pic=on,rtc=on,isa-serial=on",
            "-accel", tcg ? "tcg" : "kvm",
            "-cpu", tcg ? "max" : "host",
            "-m", MemoryMiB.ToString(CultureInfo.InvariantCulture) + "M",
            "-smp", Cpus.ToString(CultureInfo.InvariantCulture),
            "-nodefaults", "-no-user-config", "-display", "none", "-no-reboot",
            "-kernel", paths.Kernel,
            "-initrd", paths.Initramfs,
            "-append", append.ToString(),
            "-serial", "file:" + paths.Console,
            "-qmp", $"unix:{paths.Qmp},server=on,wait=off",
            "-drive", $"id=root,file={Escape(paths.Overlay)},format=qcow2,if=none,cache=unsafe",
            "-device", "virtio-blk-device,drive=root",
        ];
        for (var i = 0; i < shareImages.Count; i++)
        {
            args.AddRange(["-drive", $"id=share{i},file={Escape(shareImages[i])},format=raw,if=none,cache=writeback", "-device", $"virtio-blk-device,drive=share{i}"]);
        }

        if (Release)
        {
            args.AddRange(["-drive", $"id=release,file={Escape(releaseImage!)},format=raw,if=none,readonly=on", "-device", "virtio-blk-device,drive=release"]);
        }

        args.AddRange(
        [
            "-device", "virtio-serial-device,max_ports=4",
            "-chardev", $"socket,id=agent,path={Escape(paths.Agent)}",
            "-device", "virtserialport,chardev=agent,name=aegis.agent",
            "-chardev", $"socket,id=log,path={Escape(paths.Log)}",
            "-device", "virtserialport,chardev=log,name=aegis.log",
            "-netdev", Netdev(options, hostPort, spec),
            "-device", "virtio-net-device,netdev=net0",
        ]);
        if (incoming is not null)
        {
            args.AddRange(["-incoming", $"exec:cat '{incoming}'"]);
        }

        return args;
    }

    /// <summary>
    /// User-mode networking: the guest is 10.0.2.15 behind slirp. <c>restrict=on</c> (egress deny) lets nothing out but
    /// the forwards; the router's port is forwarded from the host's loopback; every internal host port is a guestfwd
    /// that QEMU runs socat for, per connection, to the entry's target.
    /// </summary>
    private static string Netdev(QemuOptions options, int hostPort, SandboxSpec spec)
    {
        var netdev = new StringBuilder("user,id=net0,net=10.0.2.0/24,host=10.0.2.2,dns=10.0.2.3");
        netdev.Append(spec.Network.Egress == SandboxEgress.Allow ? ",restrict=off" : ",restrict=on");
        netdev.Append(CultureInfo.InvariantCulture, $",hostfwd=tcp:127.0.0.1:{hostPort}-10.0.2.15:{spec.Network.ExposePort}");
        foreach (var host in spec.InternalHosts.DistinctBy(h => h.Port))
        {
            var target = host.Target.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6
                ? $"TCP6:[{host.Target.Address}]:{host.Target.Port}"
                : $"TCP4:{host.Target.Address}:{host.Target.Port}";
            netdev.Append(CultureInfo.InvariantCulture, $",guestfwd=tcp:{InternalHostsAddress}:{host.Port}-cmd:{options.SocatPath} - {target}");
        }

        return netdev.ToString();
    }

    /// <summary>QEMU's option syntax: a comma inside a value is written twice.</summary>
    private static string Escape(string value) => value.Replace(",", ",,", StringComparison.Ordinal);

    internal static IPEndPoint Loopback(int port) => new(IPAddress.Loopback, port);
}

/// <summary>Where one VM's files are: the image's kernel and initramfs, and the instance's own under its runtime directory.</summary>
internal sealed record QemuPaths(string Kernel, string Initramfs, string BaseDisk, string Directory)
{
    public string Overlay => Path.Combine(Directory, "instance.qcow2");

    public string Qmp => Path.Combine(Directory, "q.sock");

    public string Agent => Path.Combine(Directory, "a.sock");

    public string Log => Path.Combine(Directory, "l.sock");

    public string Control => Path.Combine(Directory, "c.sock");

    public string Console => Path.Combine(Directory, "console.log");

    public string Share(int index) => Path.Combine(Directory, $"share{index}.img");
}
