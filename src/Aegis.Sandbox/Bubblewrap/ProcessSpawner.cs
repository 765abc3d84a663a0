using System.Collections.Concurrent;
using System.Diagnostics;

namespace Aegis.Sandbox.Bubblewrap;

/// <summary>
/// Starts sandbox processes from one thread that lives as long as the daemon. bwrap's <c>--die-with-parent</c> is
/// PR_SET_PDEATHSIG, which fires when the <em>thread</em> that forked bwrap exits, not the process; a thread-pool
/// thread retiring after idling would otherwise SIGKILL a long-lived sandbox out of the blue. The thread also takes the
/// scheduling policy a sandbox asks for before it forks, so the child and all its threads inherit it.
/// </summary>
internal static class ProcessSpawner
{
    private static readonly BlockingCollection<(ProcessStartInfo StartInfo, CpuScheduling Scheduling, TaskCompletionSource<Process> Result)> Requests = [];

    static ProcessSpawner()
    {
        var thread = new Thread(Run) { IsBackground = true, Name = "aegis-sandbox-spawner" };
        thread.Start();
    }

    public static Task<Process> StartAsync(ProcessStartInfo startInfo, CpuScheduling scheduling)
    {
        var result = new TaskCompletionSource<Process>(TaskCreationOptions.RunContinuationsAsynchronously);
        Requests.Add((startInfo, scheduling, result));
        return result.Task;
    }

    private static void Run()
    {
        foreach (var (startInfo, scheduling, result) in Requests.GetConsumingEnumerable())
        {
            try
            {
                NativeMethods.SetThreadScheduling(scheduling);
                result.SetResult(Process.Start(startInfo) ?? throw new SandboxException($"Could not start {startInfo.FileName}"));
            }
            catch (Exception exception)
            {
                result.SetException(exception);
            }
        }
    }
}
