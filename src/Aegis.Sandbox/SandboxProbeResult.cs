namespace Aegis.Sandbox;

/// <summary>Whether a backend works on this host, and if not, why.</summary>
/// <param name="Available">True when <see cref="ISandboxBackend.StartAsync"/> is expected to work.</param>
/// <param name="Problems">What is missing; empty when available.</param>
public sealed record SandboxProbeResult(bool Available, IReadOnlyList<string> Problems)
{
    public static SandboxProbeResult Ok { get; } = new(true, []);
}
