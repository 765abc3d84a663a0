using Aegis.Sandbox;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace Aegis.Sandbox.Tests.Bubblewrap;

/// <summary>The host scheduling policy a sandbox's processes run under (<see cref="BubblewrapOptions.Scheduling"/>).</summary>
public sealed class BubblewrapSchedulingTests(ITestOutputHelper output) : SandboxTestBase(output)
{
    private CpuScheduling? _scheduling;

    protected override ISandboxBackend CreateBackend(string stateDirectory, ILoggerFactory loggerFactory) =>
        BubblewrapTestBackend.Create(stateDirectory, loggerFactory, _scheduling);

    [Theory]
    [InlineData(null, 3)] // the default: SCHED_BATCH
    [InlineData(CpuScheduling.Batch, 3)]
    [InlineData(CpuScheduling.Normal, 0)] // SCHED_OTHER
    public async Task The_sandboxs_process_and_the_threads_it_starts_run_under_the_configured_policy(CpuScheduling? scheduling, int policy)
    {
        _scheduling = scheduling;

        // sched_getscheduler(0) answers for the calling thread: the command's main thread and one it starts.
        var sandbox = await StartAsync(ShellSpec(
            "exec python3 -c \"import os, threading\n" +
            "print('main', os.sched_getscheduler(0), flush=True)\n" +
            "t = threading.Thread(target=lambda: print('thread', os.sched_getscheduler(0), flush=True))\n" +
            "t.start(); t.join()\""));
        await ExitedAsync(sandbox);

        var log = ReadLog(sandbox);
        Assert.Contains($"main {policy}\n", log);
        Assert.Contains($"thread {policy}\n", log);
    }
}
