namespace Aegis.Sandbox;

/// <summary>
/// The Linux scheduling policy a sandbox's processes run under on the host (for qemu: the VMM and its vCPU threads).
/// </summary>
public enum CpuScheduling
{
    /// <summary>
    /// <c>SCHED_BATCH</c>: the same CPU share as normal, but a sandbox's thread that wakes up does not preempt what is
    /// running; it waits for a free core or the end of the running thread's slice. Agents are background work beside
    /// ejabberd, famiglia-web and aegisd's router, which keep preempting them; and an agent that wakes per message no
    /// longer interrupts the chat server that sends them (bench/RESULTS.md, issue 3).
    /// </summary>
    Batch,

    /// <summary><c>SCHED_OTHER</c>: a waking sandbox thread may preempt host services, as any process does.</summary>
    Normal,
}
