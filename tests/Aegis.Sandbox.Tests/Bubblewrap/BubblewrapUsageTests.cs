using Aegis.Sandbox;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace Aegis.Sandbox.Tests.Bubblewrap;

/// <summary><see cref="ISandbox.ReadUsage"/> on bwrap: what the sandbox's cgroup accounts, against real allocations.</summary>
public sealed class BubblewrapUsageTests(ITestOutputHelper output) : SandboxTestBase(output)
{
    private readonly ITestOutputHelper _output = output;

    /// <summary>What the holder script keeps allocated; the idle sandbox stays far below it.</summary>
    private const long Held = 48L * 1024 * 1024;

    protected override ISandboxBackend CreateBackend(string stateDirectory, ILoggerFactory loggerFactory) =>
        BubblewrapTestBackend.Create(stateDirectory, loggerFactory);

    [Fact]
    public async Task Usage_shows_the_memory_the_sandbox_holds_the_cpu_it_burned_and_its_processes()
    {
        var resources = new SandboxResources(MemoryBytes: 256L * 1024 * 1024, CpuCores: 1m, PidsLimit: 64);
        var holder = await StartHolderAsync(resources);
        var idle = await StartAsync(ShellSpec("echo idle; exec sleep 600"));
        await WaitUntilAsync(() => ReadLog(idle).Contains("idle"), "the idle sandbox to start");

        var usage = holder.ReadUsage();
        var idleUsage = idle.ReadUsage();
        _output.WriteLine($"holder: {usage}; idle: {idleUsage}");

        Assert.NotNull(usage);
        Assert.True(usage.MemoryBytes >= Held, $"memory {usage.MemoryBytes} should include the {Held} bytes held");
        Assert.True(usage.MemoryPeakBytes >= Held, $"peak {usage.MemoryPeakBytes} should include the {Held} bytes held");
        Assert.True(usage.CpuTime > TimeSpan.Zero, $"cpu time {usage.CpuTime}");
        Assert.True(usage.Processes >= 1, $"processes {usage.Processes}");
        Assert.Equal(resources, usage.Limits);

        // The floor is the allocation's, not anything a sandbox costs by itself.
        Assert.NotNull(idleUsage);
        Assert.True(idleUsage.MemoryBytes < Held, $"an idle sandbox uses {idleUsage.MemoryBytes}");
        Assert.True(idleUsage.Processes >= 1, $"processes {idleUsage.Processes}");
        Assert.Equal(new SandboxResources(), idleUsage.Limits);
    }

    [Fact]
    public async Task A_paused_sandbox_still_reports_its_memory_and_an_ended_one_reports_nothing()
    {
        var holder = await StartHolderAsync(new SandboxResources());
        var finished = await StartAsync(ShellSpec("echo done"));

        await holder.PauseAsync();
        var paused = holder.ReadUsage();
        await holder.ResumeAsync();
        await holder.TerminateAsync(TimeSpan.FromSeconds(1)).WaitAsync(HangGuard);
        await ExitedAsync(finished);

        Assert.NotNull(paused);
        Assert.True(paused.MemoryBytes >= Held, $"paused memory {paused.MemoryBytes}");
        Assert.Equal(SandboxState.Terminated, holder.State);
        Assert.Null(holder.ReadUsage());
        Assert.Null(finished.ReadUsage());
    }

    /// <summary>A sandbox whose python holds <see cref="Held"/> bytes (written, so every page is really there) after a
    /// CPU-bound loop; returns once it says so.</summary>
    private async Task<ISandbox> StartHolderAsync(SandboxResources resources)
    {
        var workspace = NewWorkspace();
        await File.WriteAllTextAsync(Path.Combine(workspace, "hold.py"), $"""
            import time
            held = b"x" * {Held}
            total = 0
            for i in range(2_000_000):
                total += i
            print("holding", len(held), total, flush=True)
            time.sleep(600)
            """);
        var sandbox = await StartAsync(ShellSpec("exec python3 /workspace/hold.py", workspace) with { Resources = resources });
        await WaitUntilAsync(() => ReadLog(sandbox).Contains("holding"), "the sandbox to allocate");
        return sandbox;
    }
}
