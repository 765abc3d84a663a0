using System.Globalization;
using System.Runtime.InteropServices;

namespace Aegis.Sandbox.Qemu;

/// <summary>
/// A VM's resource use as the host sees it: the QEMU process's resident set (peak included) from
/// <c>/proc/PID/status</c> and its CPU time from <c>/proc/PID/stat</c>. That is the VMM's view: guest RAM counts once
/// the guest has touched it (and stays counted after the guest frees it), QEMU's own memory and threads are included,
/// and the guest's processes are not visible.
/// </summary>
internal static partial class VmmUsage
{
    private const int ClockTicksName = 2; // _SC_CLK_TCK
    private static readonly long ClockTicksPerSecond = Math.Max(1, SysConf(ClockTicksName));

    /// <exception cref="IOException">The process is gone.</exception>
    public static SandboxUsage Read(int pid, SandboxResources limits)
    {
        long? rss = null;
        long? peak = null;
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                rss = Kibibytes(line);
            }
            else if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            {
                peak = Kibibytes(line);
            }
        }

        // A zombie has no VmRSS line: nothing left to report.
        if (rss is null)
        {
            throw new IOException($"process {pid} has no memory any more");
        }

        // Fields after "(comm)": state is field 3, utime field 14, stime field 15 (proc(5)); comm may hold spaces.
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var ticks = long.Parse(fields[14 - 3], CultureInfo.InvariantCulture) + long.Parse(fields[15 - 3], CultureInfo.InvariantCulture);
        var cpu = TimeSpan.FromTicks(ticks * TimeSpan.TicksPerSecond / ClockTicksPerSecond);
        return new SandboxUsage(rss.Value, peak, cpu, Processes: null, limits);
    }

    /// <summary><c>VmRSS:     12345 kB</c> in bytes.</summary>
    private static long Kibibytes(string line) =>
        long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;

    [LibraryImport("libc", EntryPoint = "sysconf")]
    private static partial long SysConf(int name);
}
