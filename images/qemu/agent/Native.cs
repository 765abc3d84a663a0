using System.Runtime.InteropServices;

namespace Aegis.GuestAgent;

/// <summary>The few system calls .NET has no API for.</summary>
internal static partial class Native
{
    public const int SigKill = 9;
    public const int SigTerm = 15;
    public const ulong MsReadOnly = 1;
    public const ulong MsBind = 4096;
    public const ulong MsNoSuid = 2;
    public const ulong MsNoDev = 4;
    // RB_AUTOBOOT: microvm has no ACPI power-off path; the reset ends QEMU, which runs with -no-reboot.
    private const int RebootRestart = 0x01234567;

    [LibraryImport("libc", EntryPoint = "mount", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int MountNative(string? source, string target, string? type, ulong flags, string? data);

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    public static partial int Kill(int pid, int signal);

    [LibraryImport("libc", EntryPoint = "sync")]
    public static partial void Sync();

    [LibraryImport("libc", EntryPoint = "reboot", SetLastError = true)]
    private static partial int RebootNative(int command);

    [LibraryImport("libc", EntryPoint = "sethostname", SetLastError = true)]
    private static partial int SetHostNameNative(byte[] name, nint length);

    [LibraryImport("libc", EntryPoint = "execve", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int ExecveNative(string path, string?[] argv, string?[] envp);

    [LibraryImport("libc", EntryPoint = "clock_settime", SetLastError = true)]
    private static partial int ClockSetTime(int clock, in TimeSpec time);

    /// <summary>Sets the wall clock (CLOCK_REALTIME) to the host's.</summary>
    public static void SetClock(long unixMilliseconds)
    {
        ClockSetTime(0, new TimeSpec(unixMilliseconds / 1000, unixMilliseconds % 1000 * 1_000_000));
    }

    [StructLayout(LayoutKind.Sequential)]
    private readonly record struct TimeSpec(long Seconds, long Nanoseconds);

    public static void Mount(string? source, string target, string? type, ulong flags = 0, string? data = null)
    {
        Directory.CreateDirectory(target);
        if (MountNative(source, target, type, flags, data) != 0)
        {
            throw new IOException($"mount {source} on {target} ({type}) failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    public static void SetHostName(string name)
    {
        var bytes = System.Text.Encoding.ASCII.GetBytes(name);
        SetHostNameNative(bytes, bytes.Length);
    }

    public static void PowerOff()
    {
        Sync();
        RebootNative(RebootRestart);
    }

    /// <summary>Replaces this process; returns only on failure (with errno).</summary>
    public static int Exec(string path, IReadOnlyList<string> argv, IEnumerable<string> environment)
    {
        ExecveNative(path, [.. argv, null], [.. environment, null]);
        return Marshal.GetLastPInvokeError();
    }
}
