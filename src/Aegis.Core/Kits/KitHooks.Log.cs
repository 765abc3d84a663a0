using Microsoft.Extensions.Logging;

namespace Aegis.Core.Kits;

public sealed partial class KitHooks
{
    /// <summary>Source-generated log messages. None takes a request or response: those carry secrets.</summary>
    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Debug, "Running kit hook {Hook} ({Executable})")]
        public static partial void Running(ILogger logger, string hook, string executable);

        [LoggerMessage(2, LogLevel.Information, "Kit hook {Hook}: {Line}")]
        public static partial void Stderr(ILogger logger, string hook, string line);

        [LoggerMessage(3, LogLevel.Debug, "Kit hook {Hook} succeeded in {Elapsed}")]
        public static partial void Succeeded(ILogger logger, string hook, TimeSpan elapsed);

        [LoggerMessage(4, LogLevel.Warning, "Kit hook {Hook} ({Executable}) failed: {Failure}")]
        public static partial void Failed(ILogger logger, string hook, string executable, KitHookFailure failure);

        [LoggerMessage(5, LogLevel.Trace, "Kit has no hooks executable; {Hook} is a no-op")]
        public static partial void NoHooks(ILogger logger, string hook);
    }
}
