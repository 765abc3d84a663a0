namespace Aegis.Cli;

/// <summary>A problem with what the user asked for (a missing file, a bad value); exits with <see cref="ExitCodes.Usage"/>.</summary>
internal sealed class CliUsageException(string message) : Exception(message);
