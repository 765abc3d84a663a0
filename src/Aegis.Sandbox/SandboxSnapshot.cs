namespace Aegis.Sandbox;

/// <summary>
/// A memory snapshot on disk (the instance tier): everything a backend needs to continue a sandbox where it was.
/// </summary>
/// <param name="Directory">The directory the snapshot was written to; <see cref="ISandboxBackend.RestoreAsync"/> takes it.</param>
/// <param name="MemoryBytes">Size of the saved guest memory.</param>
/// <param name="TotalBytes">Everything the snapshot holds on disk (memory, disks, metadata).</param>
public sealed record SandboxSnapshot(string Directory, long MemoryBytes, long TotalBytes);
