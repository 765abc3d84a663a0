namespace Aegis.Sandbox;

/// <summary>Outbound network policy.</summary>
public enum SandboxEgress
{
    /// <summary>Only the host side of the sandbox's link is reachable.</summary>
    Deny,

    /// <summary>A default route through the host; the host decides (forwarding, NAT, firewall) what gets through.</summary>
    Allow,
}
