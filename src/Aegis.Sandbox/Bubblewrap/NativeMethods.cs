using System.Runtime.InteropServices;

namespace Aegis.Sandbox.Bubblewrap;

internal static partial class NativeMethods
{
    public const int SigKill = 9;
    public const int SigTerm = 15;

    /// <summary>kill(2); false when the process is already gone.</summary>
    public static bool Signal(int pid, int signal) => Kill(pid, signal) == 0;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
