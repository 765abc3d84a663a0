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

    /// <summary>The policy's Linux name, for the bench's header.</summary>
    public static string LinuxName(int policy) => policy == SchedBatch ? "SCHED_BATCH" : "SCHED_OTHER";

    /// <summary>The policy <c>normal</c> or <c>batch</c> names (the values of aegisd's Aegis:SandboxScheduling); null for anything else.</summary>
    public static int? Parse(string policy) => policy switch
    {
        "normal" => SchedOther,
        "batch" => SchedBatch,
        _ => null,
    };

    public static void Apply(int policy)
    {
        foreach (var task in Directory.EnumerateDirectories("/proc/self/task"))
        {
            var parameter = 0;
            if (SchedSetScheduler(int.Parse(Path.GetFileName(task), System.Globalization.CultureInfo.InvariantCulture), policy, ref parameter) != 0)
            {
                var error = Marshal.GetLastPInvokeError();
                // A thread that ended between the listing and the call (ESRCH) has nothing left to schedule.
                if (error != 3)
                {
                    throw new InvalidOperationException($"sched_setscheduler({LinuxName(policy)}) failed: errno {error}");
                }
            }
        }
    }

    [LibraryImport("libc", EntryPoint = "sched_setscheduler", SetLastError = true)]
    private static partial int SchedSetScheduler(int pid, int policy, ref int parameter);
}
