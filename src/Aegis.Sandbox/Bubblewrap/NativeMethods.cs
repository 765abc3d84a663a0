using System.Runtime.InteropServices;

namespace Aegis.Sandbox.Bubblewrap;

internal static partial class NativeMethods
{
    public const int SigKill = 9;
    public const int SigTerm = 15;

    /// <summary>umount2(2) flag: detach now, finish when the last user lets go.</summary>
    public const int MntDetach = 2;

    /// <summary>kill(2); false when the process is already gone.</summary>
    public static bool Signal(int pid, int signal) => Kill(pid, signal) == 0;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);

    private const int SchedOther = 0;
    private const int SchedBatch = 3;

    /// <summary>sched_setscheduler(2) on the calling thread; what it forks afterwards inherits the policy.</summary>
    public static void SetThreadScheduling(CpuScheduling scheduling)
    {
        var priority = 0;
        if (SchedSetScheduler(0, scheduling == CpuScheduling.Batch ? SchedBatch : SchedOther, ref priority) != 0)
        {
            throw new SandboxException($"Could not set the {scheduling} scheduling policy: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    [LibraryImport("libc", EntryPoint = "sched_setscheduler", SetLastError = true)]
    private static partial int SchedSetScheduler(int pid, int policy, ref int priority);

    public const nuint MsReadOnly = 1;
    public const nuint MsRemount = 32;
    public const nuint MsBind = 4096;
    public const nuint MsMove = 8192;
    public const nuint MsShared = 1 << 20;

    public const int OpenReadOnly = 0;
    public const int OpenNonBlocking = 0x800;

    [LibraryImport("libc", EntryPoint = "mount", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Mount(string? source, string target, string? fileSystemType, nuint flags, string? data);

    [LibraryImport("libc", EntryPoint = "mkfifo", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int MakeFifo(string path, uint mode);

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    [LibraryImport("libc", EntryPoint = "umount2", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Unmount(string target, int flags);
}
