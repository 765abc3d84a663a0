namespace Aegis.Cli;

/// <summary>What <c>aegis</c> returns; <c>aegis run</c> returns the task's own exit code instead of <see cref="Ok"/>.</summary>
public static class ExitCodes
{
    public const int Ok = 0;

    /// <summary>aegisd answered with an error (4xx/5xx), or a started process failed.</summary>
    public const int Refused = 1;

    /// <summary>The command line, or a local file it names, is wrong.</summary>
    public const int Usage = 2;

    /// <summary>Nothing answers at the daemon's URL.</summary>
    public const int Unreachable = 3;

    /// <summary>Stopped by Ctrl-C or SIGTERM.</summary>
    public const int Interrupted = 130;
}
