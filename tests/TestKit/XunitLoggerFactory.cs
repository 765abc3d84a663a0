using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace Famiglia.TestKit;

/// <summary>Sends library logs to the test's output, so a failing test shows what the client did.</summary>
public static class XunitLoggerFactory
{
    /// <summary>Creates the factory; <c>FAMIGLIA_TEST_LOG_LEVEL=Trace</c> shows every stanza (redacted).</summary>
    public static ILoggerFactory Create(ITestOutputHelper output) =>
        LoggerFactory.Create(builder => builder.SetMinimumLevel(MinimumLevel).AddProvider(new Provider(output)));

    private static LogLevel MinimumLevel =>
        Enum.TryParse<LogLevel>(Environment.GetEnvironmentVariable("FAMIGLIA_TEST_LOG_LEVEL"), ignoreCase: true, out var level) ? level : LogLevel.Debug;

    private sealed class Provider(ITestOutputHelper output) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new Logger(output, categoryName);

        public void Dispose()
        {
        }
    }

    private sealed class Logger(ITestOutputHelper output, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            try
            {
                output.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} {logLevel,-11} {category.Split('.')[^1]}: {formatter(state, exception)}{(exception is null ? "" : $" | {exception.GetType().Name}: {exception.Message}")}");
            }
            catch (InvalidOperationException)
            {
                // The test has finished; its output is closed.
            }
        }
    }
}
