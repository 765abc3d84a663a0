using Famiglia.TestKit;

namespace Aegis.Daemon.Tests;

/// <summary>Aegis:SandboxScheduling: the host scheduling policy an app's sandbox runs under; batch unless set.</summary>
public abstract class SandboxSchedulingTestBase : DaemonTestBase
{
    /// <summary>The policy number sched_getscheduler(2) reports inside the app: 3 SCHED_BATCH, 0 SCHED_OTHER.</summary>
    protected abstract int ExpectedPolicy { get; }

    [Fact]
    public async Task The_apps_process_runs_under_the_configured_policy()
    {
        var app = await CreateAppAsync("policy", ["sh", "-c",
            "python3 -c 'import os; print(os.sched_getscheduler(0))' > /workspace/policy.txt; exec sleep 60"], healthCheck: "process");

        await EnsureAsync(app);

        Assert.Equal($"{ExpectedPolicy}\n", await WorkspaceFileAsync(app, "policy.txt"));
    }
}

public sealed class DefaultSandboxSchedulingTests : SandboxSchedulingTestBase
{
    protected override int ExpectedPolicy => 3;
}

public sealed class NormalSandboxSchedulingTests : SandboxSchedulingTestBase
{
    protected override int ExpectedPolicy => 0;

    protected override AegisDaemonFactory CreateDaemon() => new(settings: new Dictionary<string, string>
    {
        ["Aegis:SandboxScheduling"] = "normal",
    });
}

/// <summary>A policy aegisd does not know stops it at startup, naming the setting (a real aegisd process, as for tracing).</summary>
public sealed class SandboxSchedulingConfigurationTests
{
    [Theory]
    [InlineData("fast")]
    [InlineData("7")]
    public async Task An_unknown_policy_fails_startup_naming_the_setting(string value)
    {
        using var data = TempDirectory.Create("aegisd-scheduling-setting");

        var error = await Assert.ThrowsAsync<InvalidOperationException>(
            () => AegisDaemonProcess.StartAsync(data.Path, settings: [$"--Aegis:SandboxScheduling={value}"]));

        Assert.True(error.Message.Split("while starting:", 2)[1].Contains("Aegis:SandboxScheduling", StringComparison.Ordinal), error.Message);
    }
}
