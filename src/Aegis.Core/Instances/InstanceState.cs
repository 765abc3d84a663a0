namespace Aegis.Core.Instances;

/// <summary>An instance's lifecycle state (AEGIS.md "Instance states").</summary>
public enum InstanceState
{
    /// <summary>The sandbox is starting.</summary>
    Booting,

    /// <summary>The sandbox runs and passed its health check.</summary>
    Running,

    /// <summary>Frozen; resumes in milliseconds.</summary>
    Paused,

    /// <summary>Gone; its workspace (and snapshot, where the backend has one) is kept.</summary>
    Terminated,

    /// <summary>Crashed, failed its health check or failed to boot; <c>reason</c> says why.</summary>
    Error,
}
