using System.Net;
using Microsoft.Extensions.Logging;

namespace Aegis.Sandbox.Qemu;

/// <summary>Source-generated log messages. The sandbox environment (secrets) is never logged.</summary>
internal static partial class QemuLog
{
    [LoggerMessage(101, LogLevel.Information, "Sandbox {InstanceId} started: qemu pid {Pid} ({Accelerator}), port at {Endpoint}, booted in {BootTime}")]
    public static partial void Started(ILogger logger, string instanceId, int pid, string accelerator, IPEndPoint endpoint, TimeSpan bootTime);

    [LoggerMessage(102, LogLevel.Information, "Sandbox {InstanceId} exited with {ExitCode} ({Reason})")]
    public static partial void Exited(ILogger logger, string instanceId, int exitCode, string reason);

    [LoggerMessage(105, LogLevel.Information, "Sandbox {InstanceId}: terminating (SIGTERM to the command, grace {Grace})")]
    public static partial void Terminating(ILogger logger, string instanceId, TimeSpan grace);

    [LoggerMessage(107, LogLevel.Error, "Sandbox {InstanceId}: cleanup step {Step} failed")]
    public static partial void CleanupFailed(ILogger logger, string instanceId, string step, Exception exception);

    [LoggerMessage(109, LogLevel.Information, "qemu backend: accelerator {Accelerator} ({Reason})")]
    public static partial void AcceleratorChosen(ILogger logger, string accelerator, string reason);

    [LoggerMessage(110, LogLevel.Information, "Sandbox {InstanceId}: memory snapshot of {Bytes} bytes written to {Directory} in {Elapsed}")]
    public static partial void Snapshotted(ILogger logger, string instanceId, long bytes, string directory, TimeSpan elapsed);

    [LoggerMessage(111, LogLevel.Information, "Sandbox {InstanceId} restored from {Directory}: qemu pid {Pid}, port at {Endpoint}, in {Elapsed}")]
    public static partial void Restored(ILogger logger, string instanceId, string directory, int pid, IPEndPoint endpoint, TimeSpan elapsed);

    [LoggerMessage(112, LogLevel.Warning, "Sandbox {InstanceId}: the guest sent {What}")]
    public static partial void GuestMisbehaved(ILogger logger, string instanceId, string what);
}
