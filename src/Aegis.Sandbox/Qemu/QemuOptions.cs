namespace Aegis.Sandbox.Qemu;

/// <summary>Host-side settings of the qemu backend. Defaults fit a Debian host running aegisd as root.</summary>
public sealed record QemuOptions
{
    public string QemuPath { get; init; } = "/usr/bin/qemu-system-x86_64";

    /// <summary>The host scheduling policy of the sandboxes' processes (<see cref="CpuScheduling.Batch"/> by default).</summary>
    public CpuScheduling Scheduling { get; init; } = CpuScheduling.Batch;

    public string QemuImgPath { get; init; } = "/usr/bin/qemu-img";

    /// <summary>util-linux setpriv: starts QEMU with a parent-death signal, so a VM does not outlive aegisd.</summary>
    public string SetprivPath { get; init; } = "/usr/bin/setpriv";

    /// <summary>Relays a guest's connection to an internal host (QEMU runs it per connection for <c>guestfwd</c>).</summary>
    public string SocatPath { get; init; } = "/usr/bin/socat";

    public string MkfsPath { get; init; } = "/usr/sbin/mkfs.ext4";

    public string DebugfsPath { get; init; } = "/usr/sbin/debugfs";

    public string FsckPath { get; init; } = "/usr/sbin/e2fsck";

    /// <summary>
    /// The output of <c>images/qemu/build</c>: <c>image.json</c>, <c>vmlinuz</c>, <c>initramfs.img</c> and the
    /// read-only base disk <c>rootfs.qcow2</c>.
    /// </summary>
    public string ImageDirectory { get; init; } = "/var/lib/aegis/images/qemu";

    /// <summary>Per-instance disks (layers, workspace), sockets and the guest console; removed on terminate.</summary>
    public string RuntimeDirectory { get; init; } = "/var/lib/aegis/qemu/instances";

    /// <summary>Per-sandbox stdout/stderr logs <c>&lt;instance&gt;.log</c>; kept after terminate.</summary>
    public string LogDirectory { get; init; } = "/var/log/aegis/sandboxes";

    public long LogFileBytes { get; init; } = 1024 * 1024;

    public int LogFiles { get; init; } = 3;

    /// <summary><c>auto</c> (KVM when the probe sees a vCPU run, else TCG), <c>kvm</c> or <c>tcg</c>.</summary>
    public string Accelerator { get; init; } = "auto";

    /// <summary>How long the KVM probe waits for a guest kernel to print anything before it settles for TCG.</summary>
    public TimeSpan KvmProbeTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The uid the command runs as inside the guest.</summary>
    public int SandboxUid { get; init; } = 1000;

    /// <summary>Guest RAM is the spec's memory limit (the command's cgroup inside) plus this, for kernel and agent.</summary>
    public long GuestOverheadBytes { get; init; } = 64L * 1024 * 1024;

    /// <summary>No guest gets less RAM than this.</summary>
    public long MinimumGuestMemoryBytes { get; init; } = 256L * 1024 * 1024;

    /// <summary>Size of the ext4 disk that carries <c>/workspace</c> (and <c>/canvas</c> when it is elsewhere); sparse.</summary>
    public long WorkspaceDiskBytes { get; init; } = 1024L * 1024 * 1024;

    /// <summary>How long a sandbox may take from QEMU's start to the agent's <c>ready</c>.</summary>
    public TimeSpan BootTimeout { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>Grace between SIGTERM and the kill when a sandbox is disposed without an explicit terminate.</summary>
    public TimeSpan DisposeGrace { get; init; } = TimeSpan.FromSeconds(2);
}
