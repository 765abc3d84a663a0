using System.Net;
using Microsoft.Extensions.Logging;

namespace Aegis.Sandbox.Bubblewrap;

/// <summary>Source-generated log messages. The sandbox environment (secrets) is never logged.</summary>
internal static partial class BubblewrapLog
{
    [LoggerMessage(1, LogLevel.Information, "Sandbox {InstanceId} started: pid {Pid}, port at {Endpoint}, cgroup {CgroupVersion}")]
    public static partial void Started(ILogger logger, string instanceId, int pid, IPEndPoint endpoint, string cgroupVersion);

    [LoggerMessage(2, LogLevel.Information, "Sandbox {InstanceId} exited with {ExitCode} ({Reason})")]
    public static partial void Exited(ILogger logger, string instanceId, int exitCode, string reason);

    [LoggerMessage(3, LogLevel.Warning, "Sandbox {InstanceId} hit its memory limit; killing it")]
    public static partial void OomKilled(ILogger logger, string instanceId);

    [LoggerMessage(6, LogLevel.Information, "Sandbox {InstanceId}: terminating (SIGTERM to pid {Pid}, grace {Grace})")]
    public static partial void Terminating(ILogger logger, string instanceId, int pid, TimeSpan grace);

    [LoggerMessage(8, LogLevel.Error, "Sandbox {InstanceId}: cleanup step {Step} failed")]
    public static partial void CleanupFailed(ILogger logger, string instanceId, string step, Exception exception);

    [LoggerMessage(9, LogLevel.Error, "Sandbox {InstanceId}: monitoring failed")]
    public static partial void MonitorFailed(ILogger logger, string instanceId, Exception exception);

    [LoggerMessage(10, LogLevel.Debug, "Sandbox {InstanceId}: relaying {Listen} to {Target}")]
    public static partial void ForwarderStarted(ILogger logger, string instanceId, IPEndPoint listen, IPEndPoint target);

    [LoggerMessage(11, LogLevel.Warning, "Sandbox {InstanceId}: internal host {Target} refused a relayed connection ({Error})")]
    public static partial void ForwardFailed(ILogger logger, string instanceId, IPEndPoint target, System.Net.Sockets.SocketError error);

    [LoggerMessage(13, LogLevel.Warning, "Sandbox {InstanceId}: removed nftables table inet {Table}, left by a dead sandbox on the same link {Link}")]
    public static partial void StaleFirewallRemoved(ILogger logger, string instanceId, string table, string link);
}
