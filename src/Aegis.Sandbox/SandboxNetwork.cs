namespace Aegis.Sandbox;

/// <summary>Network policy of one sandbox.</summary>
/// <param name="Egress">Whether the sandbox gets a default route out.</param>
/// <param name="ExposePort">The port inside the sandbox the host (router) connects to.</param>
public sealed record SandboxNetwork(SandboxEgress Egress = SandboxEgress.Deny, int ExposePort = 80);
