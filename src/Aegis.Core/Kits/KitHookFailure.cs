namespace Aegis.Core.Kits;

/// <summary>Why a hook failed.</summary>
public enum KitHookFailure
{
    /// <summary>The hooks executable does not exist.</summary>
    ExecutableMissing,

    /// <summary>The hooks executable exists but could not be started (not executable, bad interpreter line, …).</summary>
    StartFailed,

    /// <summary>The hook ran past its timeout and was killed with its child processes.</summary>
    TimedOut,

    /// <summary>The hook exited with a non-zero code.</summary>
    NonZeroExit,

    /// <summary>The hook exited with 0 but its stdout is not JSON or lacks a required field.</summary>
    InvalidResponse,
}
