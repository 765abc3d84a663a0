namespace Aegis.Core.Kits;

/// <summary>One entry of <c>routing.expose</c>: a sandbox port the router proxies to.</summary>
public sealed record ExposedPort
{
    /// <summary>The port inside the sandbox (<c>port</c>, 1-65535).</summary>
    public required int Port { get; init; }

    /// <summary>What the port speaks (<c>protocol</c>, default <c>http</c>).</summary>
    public ExposeProtocol Protocol { get; init; } = ExposeProtocol.Http;

    /// <summary>The port serves a user-facing UI, such as a canvas (<c>ui</c>, default false).</summary>
    public bool Ui { get; init; }
}
