namespace Famiglia.Web.Spaces;

/// <summary>Spec §7.2.</summary>
public enum AgentStatus
{
    STOPPED,
    STARTING,
    RUNNING,

    /// <summary>Aegis hot-start pause state.</summary>
    PAUSED,
    ERROR,
}
