namespace Aegis.Sandbox;

/// <summary>Outbound network policy.</summary>
public enum SandboxEgress
{
    /// <summary>Nothing outside the sandbox is reachable but its internal hosts.</summary>
    Deny,

    /// <summary>The sandbox reaches other networks through the host (forwarded, NATed); never other sandboxes or the host's own services.</summary>
    Allow,
}
