namespace Aegis.Sandbox;

/// <summary>How a sandbox ended.</summary>
/// <param name="ExitCode">Exit code of the main process; 128 + signal number when a signal ended it.</param>
/// <param name="Reason">Why it ended.</param>
public sealed record SandboxExit(int ExitCode, SandboxExitReason Reason)
{
    /// <summary>The reason as the API reports it: <c>exited</c>, <c>terminated</c>, <c>oom-killed</c>.</summary>
    public string ReasonCode => Reason switch
    {
        SandboxExitReason.OomKilled => "oom-killed",
        SandboxExitReason.Terminated => "terminated",
        _ => "exited",
    };
}
