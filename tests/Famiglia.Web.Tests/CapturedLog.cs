using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Famiglia.Web.Tests;

/// <summary>The server's log lines (famiglia-web's own from Information up, the rest from Warning up), kept in memory so a failing test can show them.</summary>
public sealed class CapturedLog : ILoggerProvider
{
    private const int Capacity = 2_000;
    private readonly ConcurrentQueue<string> _lines = new();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    /// <summary>The last lines, oldest first.</summary>
    public string Tail(int lines = 60) => string.Join('\n', _lines.TakeLast(lines));

    public void Dispose()
    {
    }

    private void Add(string line)
    {
        _lines.Enqueue(line);
        while (_lines.Count > Capacity && _lines.TryDequeue(out _))
        {
        }
    }

    private sealed class Logger(CapturedLog log, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) =>
            logLevel >= (category.StartsWith("Famiglia", StringComparison.Ordinal) ? LogLevel.Information : LogLevel.Warning);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                log.Add($"{DateTime.UtcNow:HH:mm:ss.fff} {logLevel} {category.Split('.')[^1]}: {formatter(state, exception)}{(exception is null ? "" : " | " + exception.Message)}");
            }
        }
    }
}
