using Famiglia.TestKit;

namespace Aegis.Daemon.Tests.Tracing;

/// <summary>Export settings aegisd cannot use stop it at startup, naming the setting.</summary>
/// <remarks>A real aegisd process, as JsonLogTests does for a bad log format: in-process, WebApplicationFactory at
/// times hid the startup error behind an ObjectDisposedException of its own (reading the server's address from the
/// host that had just failed and been disposed; seen once in a CI run).</remarks>
public sealed class TracingConfigurationTests
{
    [Theory]
    [InlineData("Aegis:Tracing:Otlp:Endpoint", "collector:4318")]
    [InlineData("Aegis:Tracing:Otlp:Protocol", "thrift")]
    [InlineData("OTEL_EXPORTER_OTLP_ENDPOINT", "ftp://collector")]
    [InlineData("OTEL_BSP_SCHEDULE_DELAY", "soon")]
    [InlineData("Aegis:Tracing:Console", "sometimes")]
    public async Task A_bad_export_setting_fails_startup_naming_it(string setting, string value)
    {
        using var data = TempDirectory.Create("aegisd-tracing-setting");
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => AegisDaemonProcess.StartAsync(data.Path, settings: [$"--{setting}={value}"]));
        Assert.Contains("exited with code", error.Message, StringComparison.Ordinal);
        Assert.True(error.Message.Split("while starting:", 2)[1].Contains(setting, StringComparison.Ordinal), error.Message);
    }
}
