using System.Diagnostics;
using Aegis.Sandbox.Qemu;

namespace Aegis.Sandbox.Tests.Qemu;

/// <summary>The qemu backend's usage reader (the VMM's resident set and CPU time) against a real host process.</summary>
public sealed class VmmUsageTests
{
    [Fact]
    public async Task Read_reports_a_processs_resident_memory_peak_and_cpu_time()
    {
        const long held = 48L * 1024 * 1024;
        var start = new ProcessStartInfo("python3")
        {
            ArgumentList = { "-c", $"import sys, time\nheld = b'x' * {held}\ntotal = sum(range(2_000_000))\nprint('holding', flush=True)\nsys.stdin.read()" },
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
        };
        using var process = Process.Start(start)!;
        try
        {
            Assert.Equal("holding", await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60)));
            var limits = new SandboxResources(MemoryBytes: 256L * 1024 * 1024);

            var usage = VmmUsage.Read(process.Id, limits);

            Assert.True(usage.MemoryBytes >= held, $"memory {usage.MemoryBytes}");
            Assert.True(usage.MemoryPeakBytes >= usage.MemoryBytes, $"peak {usage.MemoryPeakBytes} below {usage.MemoryBytes}");
            Assert.True(usage.CpuTime > TimeSpan.Zero, $"cpu time {usage.CpuTime}");
            Assert.Null(usage.Processes);
            Assert.Equal(limits, usage.Limits);
        }
        finally
        {
            process.StandardInput.Close();
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        }

        Assert.ThrowsAny<IOException>(() => VmmUsage.Read(process.Id, new SandboxResources()));
    }
}
