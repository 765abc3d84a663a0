namespace Aegis.Sandbox;

/// <summary>A guest's answer to a <c>health</c> request on the control channel.</summary>
/// <param name="Ok">Whether the guest considers itself healthy.</param>
/// <param name="Detail">What the guest says about it; null when it said nothing.</param>
public sealed record SandboxHealth(bool Ok, string? Detail);
