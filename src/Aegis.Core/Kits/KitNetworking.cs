namespace Aegis.Core.Kits;

/// <summary>The manifest's <c>networking</c> section: what a sandbox may reach.</summary>
public sealed record KitNetworking
{
    /// <summary>What a manifest without <c>networking</c> gets: no egress, no internal hosts.</summary>
    public static KitNetworking Default { get; } = new();

    /// <summary>Whether the sandbox may reach the internet (<c>networking.egress</c>, default <c>deny</c>).</summary>
    public EgressPolicy Egress { get; init; } = EgressPolicy.Deny;

    /// <summary>Host services the sandbox may reach by name (<c>networking.internal_hosts</c>), whatever <see cref="Egress"/> says.</summary>
    public IReadOnlyList<HostPort> InternalHosts { get; init; } = [];

    /// <summary>Sandboxes hold long-lived connections, such as XMPP, that idle timers must not cut
    /// (<c>networking.long_lived_connections</c>, default false).</summary>
    public bool LongLivedConnections { get; init; }
}
