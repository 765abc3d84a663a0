namespace Aegis.Daemon.Tests.Tracing;

/// <summary>Export settings aegisd cannot use stop it at startup, naming the setting.</summary>
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
        await using var daemon = new AegisDaemonFactory(settings: new Dictionary<string, string> { [setting] = value });
        try
        {
            var error = Assert.ThrowsAny<Exception>(() => daemon.CreateAuthorizedClient());
            Assert.True(error.ToString().Contains(setting, StringComparison.Ordinal), error.ToString());
        }
        finally
        {
            Directory.Delete(daemon.DataDirectory, recursive: true);
        }
    }
}
