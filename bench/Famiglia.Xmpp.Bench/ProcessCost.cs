namespace Famiglia.Xmpp.Bench;

/// <summary>What a phase of our client cost this process, per message: CPU, context switches, thread-pool work
/// items (thread hops), lock contentions, managed allocation, GCs and JIT. Counts, unlike times, hold still on
/// a busy machine.</summary>
internal sealed class ProcessCost
{
    private readonly TimeSpan _cpu;
    private readonly long _workItems;
    private readonly long _contentions;
    private readonly long _allocated;
    private readonly int _gen0;
    private readonly int _gen2;
    private readonly TimeSpan _jit = System.Runtime.JitInfo.GetCompilationTime();
    private readonly long _jitMethods = System.Runtime.JitInfo.GetCompiledMethodCount();
    private readonly (long Voluntary, long Involuntary) _switches = ContextSwitches();

    private ProcessCost()
    {
        _cpu = Environment.CpuUsage.TotalTime;
        _workItems = ThreadPool.CompletedWorkItemCount;
        _contentions = Monitor.LockContentionCount;
        _allocated = GC.GetTotalAllocatedBytes(precise: true);
        _gen0 = GC.CollectionCount(0);
        _gen2 = GC.CollectionCount(2);
    }

    public static ProcessCost Start() => new();

    /// <summary>Context switches of every thread of this process so far (Linux /proc; threads that ended are not counted).</summary>
    private static (long Voluntary, long Involuntary) ContextSwitches()
    {
        long voluntary = 0, involuntary = 0;
        foreach (var task in Directory.EnumerateDirectories("/proc/self/task"))
        {
            try
            {
                foreach (var line in File.ReadLines(Path.Combine(task, "status")))
                {
                    if (line.StartsWith("voluntary_ctxt_switches:", StringComparison.Ordinal))
                    {
                        voluntary += long.Parse(line.AsSpan(line.IndexOf(':') + 1).Trim(), System.Globalization.CultureInfo.InvariantCulture);
                    }
                    else if (line.StartsWith("nonvoluntary_ctxt_switches:", StringComparison.Ordinal))
                    {
                        involuntary += long.Parse(line.AsSpan(line.IndexOf(':') + 1).Trim(), System.Globalization.CultureInfo.InvariantCulture);
                    }
                }
            }
            catch (IOException)
            {
                // The thread ended while we read.
            }
        }

        return (voluntary, involuntary);
    }

    public void Report(string phase, int messages)
    {
        var switches = ContextSwitches();
        Console.Error.WriteLine($"{phase}: per message {(double)(switches.Voluntary - _switches.Voluntary) / messages:F2} voluntary (blocking) and {(double)(switches.Involuntary - _switches.Involuntary) / messages:F2} involuntary (preempted or yielding) context switches");
        var cpu = Environment.CpuUsage.TotalTime - _cpu;
        Console.Error.WriteLine(
            $"{phase}: per message {cpu.TotalMicroseconds / messages:F0} µs CPU, " +
            $"{(double)(ThreadPool.CompletedWorkItemCount - _workItems) / messages:F2} thread-pool work items, " +
            $"{(double)(Monitor.LockContentionCount - _contentions) / messages:F3} lock contentions, " +
            $"{(double)(GC.GetTotalAllocatedBytes(precise: true) - _allocated) / messages:F0} B allocated; " +
            $"GCs gen0 {GC.CollectionCount(0) - _gen0}, gen2 {GC.CollectionCount(2) - _gen2}; " +
            $"JIT {(System.Runtime.JitInfo.GetCompilationTime() - _jit).TotalMilliseconds:F0} ms for {System.Runtime.JitInfo.GetCompiledMethodCount() - _jitMethods} methods, CPU {cpu.TotalMilliseconds:F0} ms in all");
    }
}
