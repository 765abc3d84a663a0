using Aegis.Sandbox.Qemu;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace Aegis.Sandbox.Tests.Qemu;

/// <summary>
/// <see cref="ISandbox.ReadUsage"/> on qemu is the VMM's view. By the time the command runs the guest has touched all of
/// its RAM (the guest kernel runs with <c>init_on_free=1</c>, which writes every page it frees, boot included), so an idle
/// VM shows its whole RAM resident and more (QEMU's own), whatever its processes hold.
/// </summary>
public sealed class QemuUsageTests(QemuImage image, ITestOutputHelper output) : SandboxTestBase(output), IClassFixture<QemuImage>
{
    private readonly ITestOutputHelper _output = output;

    protected override ISandboxBackend CreateBackend(string stateDirectory, ILoggerFactory loggerFactory) =>
        QemuTestBackend.Create(image, stateDirectory, loggerFactory);

    [Fact]
    public async Task An_idle_VM_shows_its_whole_guest_RAM_resident_and_QEMUs_cpu_time_and_no_process_count()
    {
        var resources = new SandboxResources(MemoryBytes: 256L * 1024 * 1024);
        var sandbox = (QemuSandbox)await StartAsync(ShellSpec("echo idle; exec sleep 600") with { Resources = resources });
        await WaitUntilAsync(() => ReadLog(sandbox).Contains("idle"), "the guest to start");

        var usage = sandbox.ReadUsage();
        _output.WriteLine($"guest RAM {sandbox.MemoryMiB} MiB ({sandbox.Accelerator}): {usage}");

        Assert.NotNull(usage);
        Assert.True(usage.MemoryBytes >= sandbox.MemoryMiB * 1024 * 1024, $"resident {usage.MemoryBytes}, guest RAM {sandbox.MemoryMiB} MiB");
        Assert.True(usage.MemoryPeakBytes >= usage.MemoryBytes, $"peak {usage.MemoryPeakBytes}");
        Assert.True(usage.CpuTime > TimeSpan.Zero, $"cpu time {usage.CpuTime}");
        Assert.Null(usage.Processes);
        Assert.Equal(resources, usage.Limits);
    }
}
