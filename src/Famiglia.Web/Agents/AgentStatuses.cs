using Famiglia.Web.Spaces;

namespace Famiglia.Web.Agents;

/// <summary>aegisd's instance states and events as the agent's status.</summary>
internal static class AgentStatuses
{
    /// <summary>Starting, running or paused: the agent has a sandbox (a Start does nothing; a new environment needs a restart).</summary>
    public static bool HasSandbox(AgentStatus status) => status is AgentStatus.RUNNING or AgentStatus.STARTING or AgentStatus.PAUSED;

    public static AgentStatus? FromInstanceState(string state) => state switch
    {
        "booting" => AgentStatus.STARTING,
        "running" => AgentStatus.RUNNING,
        "paused" => AgentStatus.PAUSED,
        "terminated" => AgentStatus.STOPPED,
        "error" => AgentStatus.ERROR,
        _ => null,
    };

    /// <summary><c>instance.running</c> → RUNNING, …; null for events that are not about an instance's state.</summary>
    public static AgentStatus? FromEvent(string type) =>
        type.StartsWith("instance.", StringComparison.Ordinal) ? FromInstanceState(type["instance.".Length..]) : null;
}
