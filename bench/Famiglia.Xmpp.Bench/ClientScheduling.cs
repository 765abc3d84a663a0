using System.Runtime.InteropServices;

namespace Famiglia.Xmpp.Bench;

/// <summary>
/// Puts every thread of this process under a Linux scheduling policy, so both clients run as aegisd runs agents
/// (<c>--clients-sched batch</c>): threads created later inherit it, and so does the peer's Node process, which this
/// process starts after the switch. ejabberd is started before it and keeps the normal policy.
/// </summary>
internal static partial class ClientScheduling
{
    private const int SchedOther = 0;
    private const int SchedBatch = 3;

    public static void Apply(string policy)
    {
        var value = policy switch
        {
            "other" => SchedOther,
            "batch" => SchedBatch,
            _ => throw new ArgumentException($"--clients-sched must be 'other' or 'batch', not '{policy}'."),
        };
        foreach (var task in Directory.EnumerateDirectories("/proc/self/task"))
        {
            var parameter = 0;
            if (SchedSetScheduler(int.Parse(Path.GetFileName(task), System.Globalization.CultureInfo.InvariantCulture), value, ref parameter) != 0)
            {
                var error = Marshal.GetLastPInvokeError();
                // A thread that ended between the listing and the call (ESRCH) has nothing left to schedule.
                if (error != 3)
                {
                    throw new InvalidOperationException($"sched_setscheduler({policy}) failed: errno {error}");
                }
            }
        }
    }

    [LibraryImport("libc", EntryPoint = "sched_setscheduler", SetLastError = true)]
    private static partial int SchedSetScheduler(int pid, int policy, ref int parameter);
}
