using Aegis.Sandbox.Qemu;

namespace Aegis.Sandbox.Tests.Qemu;

/// <summary>Copying a guest's disk back over its host directory, with the real e2fsprogs.</summary>
public sealed class ShareDiskTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("aegis-share-disk-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task A_disk_written_in_the_guest_replaces_the_directory()
    {
        var (host, disk) = await NewDiskAsync();
        File.WriteAllText(Path.Combine(host, "only-on-the-host.txt"), "gone after the export");

        await disk.ExportAsync(new QemuOptions(), copyFirst: false, CancellationToken.None);

        Assert.Equal("from the start\n", File.ReadAllText(Path.Combine(host, "kept.txt")));
        Assert.False(File.Exists(Path.Combine(host, "only-on-the-host.txt")));
    }

    [Fact]
    public async Task A_disk_debugfs_cannot_read_leaves_the_directory_as_it_was()
    {
        // Not a filesystem (as good as an image deleted under the export): debugfs says so on stderr and exits 0.
        var (host, disk) = await NewDiskAsync();
        await File.WriteAllBytesAsync(disk.ImagePath, new byte[1024 * 1024]);

        await Assert.ThrowsAsync<SandboxException>(() => disk.ExportAsync(new QemuOptions(), copyFirst: false, CancellationToken.None));

        Assert.Equal("from the start\n", File.ReadAllText(Path.Combine(host, "kept.txt")));
    }

    private async Task<(string Host, ShareDisk Disk)> NewDiskAsync()
    {
        var host = Directory.CreateDirectory(Path.Combine(_root, "workspace-" + Guid.NewGuid().ToString("N")[..8])).FullName;
        File.WriteAllText(Path.Combine(host, "kept.txt"), "from the start\n");
        var disk = new ShareDisk("ws", "/workspace", host, Path.Combine(_root, Path.GetFileName(host) + ".img"));
        await disk.CreateAsync(new QemuOptions { WorkspaceDiskBytes = 16 * 1024 * 1024 }, CancellationToken.None);
        return (host, disk);
    }
}
