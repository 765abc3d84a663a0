using System.Globalization;

namespace Aegis.Sandbox.Qemu;

/// <summary>
/// A host directory the guest sees at <see cref="GuestPath"/>, carried as an ext4 disk: the guest kernel has no 9p and
/// QEMU 7.2 cannot migrate a guest with a shared filesystem mounted, while a disk snapshots with the VM. The directory
/// is copied into a fresh disk at boot (<c>mkfs.ext4 -d</c>) and the disk's tree copied back over it when the
/// sandbox ends (<c>e2fsck</c>, then <c>debugfs rdump</c>: the guest's filesystem is never mounted on the host).
/// </summary>
/// <param name="Label">The ext4 label the guest agent finds the disk by.</param>
/// <param name="GuestPath">Where the guest mounts it.</param>
/// <param name="HostDirectory">The directory it mirrors.</param>
/// <param name="ImagePath">The disk image.</param>
internal sealed record ShareDisk(string Label, string GuestPath, string HostDirectory, string ImagePath)
{
    // One export per host directory at a time (a leftover sweep may race a sandbox's own cleanup).
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, SemaphoreSlim> ExportLocks = new(StringComparer.Ordinal);

    public async Task CreateAsync(QemuOptions options, CancellationToken cancellationToken)
    {
        var megabytes = (options.WorkspaceDiskBytes / (1024 * 1024)).ToString(CultureInfo.InvariantCulture);
        await QemuHost.RunAsync(options.MkfsPath,
            ["-q", "-F", "-L", Label, "-J", "size=4", "-E", "lazy_itable_init=0,lazy_journal_init=0", "-d", HostDirectory, ImagePath, megabytes + "M"], cancellationToken);
    }

    /// <summary>
    /// Replaces the host directory's content by the disk's; files get the directory's owner, as files a bwrap
    /// sandbox writes do. Whatever changed on the host side meanwhile is overwritten.
    /// </summary>
    /// <param name="copyFirst">
    /// Work on a copy: the disk belongs to a snapshot whose guest still has the filesystem mounted, so neither the
    /// journal replay nor any repair may touch it.
    /// </param>
    public async Task ExportAsync(QemuOptions options, bool copyFirst, CancellationToken cancellationToken)
    {
        var exportLock = ExportLocks.GetOrAdd(HostDirectory, _ => new SemaphoreSlim(1, 1));
        await exportLock.WaitAsync(cancellationToken);
        try
        {
            if (File.Exists(ImagePath) && Directory.Exists(HostDirectory))
            {
                await ExportCoreAsync(options, copyFirst, cancellationToken);
            }
        }
        finally
        {
            exportLock.Release();
        }
    }

    private async Task ExportCoreAsync(QemuOptions options, bool copyFirst, CancellationToken cancellationToken)
    {
        var image = ImagePath;
        if (copyFirst)
        {
            image = ImagePath + ".export";
            await QemuHost.RunAsync("/bin/cp", ["--sparse=always", "--reflink=auto", ImagePath, image], cancellationToken);
        }

        try
        {
            await ExportImageAsync(options, image, cancellationToken);
        }
        finally
        {
            if (copyFirst)
            {
                File.Delete(image);
            }
        }
    }

    private async Task ExportImageAsync(QemuOptions options, string image, CancellationToken cancellationToken)
    {
        // A VM that was killed left its journal unreplayed; -p replays it and fixes what is safe to fix.
        var check = await QemuHost.TryRunAsync(options.FsckPath, ["-p", "-f", image], cancellationToken);
        if (check.ExitCode >= 4)
        {
            await QemuHost.TryRunAsync(options.FsckPath, ["-y", "-f", image], cancellationToken);
        }

        var staging = HostDirectory.TrimEnd('/') + ".aegis-export";
        if (Directory.Exists(staging))
        {
            Directory.Delete(staging, recursive: true);
        }

        Directory.CreateDirectory(staging);
        try
        {
            var dump = await QemuHost.TryRunAsync(options.DebugfsPath, ["-R", $"rdump / {staging}", image], cancellationToken);
            // debugfs exits 0 even when it could not open the image (gone, or not a filesystem) and says so only on
            // stderr: the empty dump would then replace the whole directory.
            if (dump.ExitCode != 0 || dump.StandardError.Contains("Filesystem not open", StringComparison.Ordinal))
            {
                throw new SandboxException($"debugfs rdump of {image} failed: {dump.StandardError.Trim()}");
            }

            var lostAndFound = Path.Combine(staging, "lost+found");
            if (Directory.Exists(lostAndFound))
            {
                Directory.Delete(lostAndFound, recursive: true);
            }

            var owner = QemuHost.Owner(HostDirectory);
            await QemuHost.RunAsync("/bin/chown", ["-R", "-h", owner, staging], cancellationToken);
            foreach (var entry in new DirectoryInfo(HostDirectory).EnumerateFileSystemInfos())
            {
                if (entry is DirectoryInfo { LinkTarget: null } directory)
                {
                    directory.Delete(recursive: true);
                }
                else
                {
                    entry.Delete();
                }
            }

            foreach (var entry in new DirectoryInfo(staging).EnumerateFileSystemInfos())
            {
                var target = Path.Combine(HostDirectory, entry.Name);
                if (entry is DirectoryInfo { LinkTarget: null } directory)
                {
                    directory.MoveTo(target);
                }
                else
                {
                    File.Move(entry.FullName, target);
                }
            }
        }
        finally
        {
            Directory.Delete(staging, recursive: true);
        }
    }
}
