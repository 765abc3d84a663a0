using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Aegis.Sandbox.Qemu;

/// <summary>
/// The release tier (<see cref="SandboxSpec.ReleaseDirectory"/>): a release's artifacts as a read-only ext4 disk,
/// made once per release directory and attached read-only (<c>readonly=on</c>, so QEMU shares it) to every instance of
/// it, mounted read-only at <c>/agent</c>. Releases are immutable, so the disk is kept as long as the release is: a
/// snapshot's guest has it mounted and its restore must find the very same image. When the release goes (retention,
/// app deleted) its owner says so (<see cref="QemuBackend.ForgetReleaseAsync"/>) and the disk is deleted.
/// </summary>
internal static class ReleaseDisk
{
    public const string Label = "aegis-release";

    private static readonly SemaphoreSlim Gate = new(1, 1);

    public static async Task<string> EnsureAsync(QemuOptions options, string releaseDirectory, CancellationToken cancellationToken)
    {
        var directory = Path.GetFullPath(releaseDirectory).TrimEnd('/');
        if (!Directory.Exists(directory))
        {
            throw new SandboxException($"Release directory {directory} does not exist");
        }

        var cache = CacheDirectory(options);
        var image = ImagePath(options, directory);
        await Gate.WaitAsync(cancellationToken);
        try
        {
            if (File.Exists(image))
            {
                return image;
            }

            Directory.CreateDirectory(cache);
            var building = image + ".new";
            var size = Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length);
            var megabytes = Math.Max(16, (size / (1024 * 1024) * 5 / 4) + 16).ToString(CultureInfo.InvariantCulture);
            await QemuHost.RunAsync(options.MkfsPath,
                ["-q", "-F", "-L", Label, "-O", "^has_journal", "-E", "lazy_itable_init=0,root_owner=0:0", "-d", directory, building, megabytes + "M"], cancellationToken);
            File.Move(building, image);
            return image;
        }
        finally
        {
            Gate.Release();
        }
    }

    /// <summary>Deletes the disk made from <paramref name="releaseDirectory"/> (which may be gone already); its path, or
    /// null when there was none.</summary>
    public static async Task<string?> DeleteAsync(QemuOptions options, string releaseDirectory, CancellationToken cancellationToken)
    {
        var image = ImagePath(options, Path.GetFullPath(releaseDirectory).TrimEnd('/'));
        await Gate.WaitAsync(cancellationToken);
        try
        {
            if (!File.Exists(image))
            {
                return null;
            }

            // A VM still running with it keeps its open file; no new one can start from it.
            File.Delete(image);
            return image;
        }
        finally
        {
            Gate.Release();
        }
    }

    // "+" is not allowed in instance ids: this never collides with an instance's runtime directory.
    private static string CacheDirectory(QemuOptions options) => Path.Combine(options.RuntimeDirectory, "+releases");

    private static string ImagePath(QemuOptions options, string directory) =>
        Path.Combine(CacheDirectory(options), Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(directory)))[..16] + ".img");
}
