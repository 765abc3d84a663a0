using Aegis.Sandbox.Qemu;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace Aegis.Sandbox.Tests.Qemu;

/// <summary>
/// <see cref="ISandbox.ReadUsage"/> on qemu: the guest agent's reports on the command's cgroup inside the VM. The VMM's
/// own resident set would not do: by the time the command runs the guest has touched all of its RAM (its kernel runs
/// with <c>init_on_free=1</c>), so every VM would look full.
/// </summary>
public sealed class QemuUsageTests(QemuImage image, ITestOutputHelper output) : SandboxTestBase(output), IClassFixture<QemuImage>
{
    private const long Held = 48L * 1024 * 1024;

    private readonly ITestOutputHelper _output = output;

    protected override ISandboxBackend CreateBackend(string stateDirectory, ILoggerFactory loggerFactory) =>
        QemuTestBackend.Create(image, stateDirectory, loggerFactory);

    [Fact]
    public async Task The_guests_report_shows_the_memory_its_command_holds_cpu_and_processes_and_an_idle_one_far_less()
    {
        var resources = new SandboxResources(MemoryBytes: 256L * 1024 * 1024, CpuCores: 1m, PidsLimit: 64);
        var holder = (QemuSandbox)await StartAsync(ShellSpec(
            $"exec python3 -c \"import time\nheld = b'x' * {Held}\nprint('holding', len(held), flush=True)\ntime.sleep(600)\"") with { Resources = resources });
        var idle = (QemuSandbox)await StartAsync(ShellSpec("echo idle; exec sleep 600"));
        await WaitUntilAsync(() => ReadLog(holder).Contains("holding"), "the guest to allocate");
        await WaitUntilAsync(() => ReadLog(idle).Contains("idle"), "the idle guest to start");

        // A report comes about once a second; until the first one the numbers are the VMM's (no process count).
        await WaitUntilAsync(() => holder.ReadUsage() is { Processes: not null, MemoryBytes: >= Held }, "a guest report with the held memory");
        await WaitUntilAsync(() => idle.ReadUsage() is { Processes: >= 1 }, "a report of the idle guest's running command");
        var held = holder.ReadUsage();
        var quiet = idle.ReadUsage();
        _output.WriteLine($"guest RAM {holder.MemoryMiB} MiB ({holder.Accelerator}): holder {held}; idle {quiet}");
        await holder.PauseAsync();
        var paused = holder.ReadUsage();

        Assert.NotNull(held);
        Assert.NotNull(quiet);
        Assert.NotNull(paused);
        Assert.True(held.MemoryPeakBytes >= Held, $"peak {held.MemoryPeakBytes}");
        Assert.True(held.CpuTime > TimeSpan.Zero, $"cpu time {held.CpuTime}");
        Assert.True(held.Processes >= 1, $"processes {held.Processes}");
        Assert.Equal(resources, held.Limits);
        Assert.InRange(quiet.MemoryBytes, 1, Held - 1);
        Assert.True(paused.MemoryBytes >= Held, $"paused {paused.MemoryBytes}");
    }
}
