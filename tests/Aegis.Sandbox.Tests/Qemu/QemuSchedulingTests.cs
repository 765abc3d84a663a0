using Aegis.Sandbox.Qemu;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace Aegis.Sandbox.Tests.Qemu;

/// <summary>The host scheduling policy of a VM's VMM and all its threads, vCPUs included (<see cref="QemuOptions.Scheduling"/>).</summary>
public sealed class QemuSchedulingTests(QemuImage image, ITestOutputHelper output) : SandboxTestBase(output), IClassFixture<QemuImage>
{
    private const int SchedBatch = 3;

    protected override ISandboxBackend CreateBackend(string stateDirectory, ILoggerFactory loggerFactory) =>
        QemuTestBackend.Create(image, stateDirectory, loggerFactory);

    [Fact]
    public async Task Every_thread_of_the_vmm_runs_under_SCHED_BATCH_by_default()
    {
        var sandbox = await StartAsync(ShellSpec("echo up; exec sleep 600"));
        await WaitUntilAsync(() => ReadLog(sandbox).Contains("up"), "the guest's command to start");

        var policies = Directory.EnumerateDirectories($"/proc/{sandbox.Pid}/task").Select(Policy).ToList();

        Assert.True(policies.Count > 1, $"threads {policies.Count}");
        Assert.All(policies, policy => Assert.Equal(SchedBatch, policy));
    }

    /// <summary>Field 41 of /proc/PID/task/TID/stat; the fields after the command name's closing parenthesis start at field 3.</summary>
    private static int Policy(string task) =>
        int.Parse(File.ReadAllText(Path.Combine(task, "stat")).Split(')')[^1].Split(' ', StringSplitOptions.RemoveEmptyEntries)[41 - 3], System.Globalization.CultureInfo.InvariantCulture);
}
