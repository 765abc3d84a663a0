using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace Aegis.Sandbox.Qemu;

/// <summary>Host tools (qemu-img, mkfs, debugfs) with a fixed environment, failing loudly with their stderr.</summary>
internal static partial class QemuHost
{
    public static async Task<string> RunAsync(string fileName, IEnumerable<string> arguments, CancellationToken cancellationToken = default)
    {
        var list = arguments.ToList();
        var result = await TryRunAsync(fileName, list, cancellationToken);
        if (result.ExitCode != 0)
        {
            throw new SandboxException($"{fileName} {string.Join(' ', list)} failed ({result.ExitCode}): {result.StandardError.Trim()}");
        }

        return result.StandardOutput;
    }

    public static async Task<(int ExitCode, string StandardOutput, string StandardError)> TryRunAsync(
        string fileName, IEnumerable<string> arguments, CancellationToken cancellationToken = default)
    {
        var startInfo = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        startInfo.Environment.Clear();
        startInfo.Environment["PATH"] = "/usr/sbin:/usr/bin:/sbin:/bin";
        startInfo.Environment["LC_ALL"] = "C";
        using var process = Process.Start(startInfo) ?? throw new SandboxException($"Could not start {fileName}");
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        return (process.ExitCode, await stdout, await stderr);
    }

    /// <summary><c>uid:gid</c> of a path, for chown.</summary>
    public static string Owner(string path)
    {
        if (Stat(path, out var stat) != 0)
        {
            return "0:0";
        }

        return string.Create(CultureInfo.InvariantCulture, $"{stat.Uid}:{stat.Gid}");
    }

    /// <summary>Bytes the file takes on disk: a sparse file counts only its allocated blocks.</summary>
    public static long AllocatedBytes(string path) => Stat(path, out var stat) == 0 ? (long)stat.Blocks * 512 : new FileInfo(path).Length;

    /// <summary>kill(2); false when the process is already gone.</summary>
    public static bool Signal(int pid, int signal) => Kill(pid, signal) == 0;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);

    private static int Stat(string path, out Statx statx) => StatxNative(-100, path, 0, 0x7ff, out statx);

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int StatxNative(int dirfd, string path, int flags, uint mask, out Statx statx);

    [StructLayout(LayoutKind.Sequential, Size = 256)]
    private struct Statx
    {
        public uint Mask;
        public uint Blksize;
        public ulong Attributes;
        public uint Nlink;
        public uint Uid;
        public uint Gid;
        public ushort Mode;
        public ushort Spare0;
        public ulong Ino;
        public ulong Size;
        public ulong Blocks;
    }
}
