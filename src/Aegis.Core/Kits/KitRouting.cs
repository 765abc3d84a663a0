namespace Aegis.Core.Kits;

/// <summary>The manifest's <c>routing</c> section: how the router reaches a serving instance.</summary>
public sealed record KitRouting
{
    /// <summary>The router path template (<c>routing.scheme</c>), e.g. <c>/agent/{agentId}/{path}</c>; starts with <c>/</c>.</summary>
    public required string Scheme { get; init; }

    /// <summary>Requests of one client stick to one instance (<c>routing.session_stickiness</c>, default false);
    /// when false any instance of the app may serve.</summary>
    public bool SessionStickiness { get; init; }

    /// <summary>The router proxies WebSocket upgrades (<c>routing.websocket</c>, default false).</summary>
    public bool WebSocket { get; init; }

    /// <summary>The sandbox ports the router exposes (<c>routing.expose</c>, at least one, ports unique).</summary>
    public required IReadOnlyList<ExposedPort> Expose { get; init; }
}
