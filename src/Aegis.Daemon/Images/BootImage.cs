using Aegis.Sandbox;

namespace Aegis.Daemon.Images;

/// <summary>A built image as a boot uses it: what the sandbox mounts, and what it runs when the app names no command.</summary>
internal sealed record BootImage(string Reference, SandboxImage Image, IReadOnlyList<string> Entrypoint);
