namespace Aegis.Core.Kits;

/// <summary>One file of a published release, as <c>on_publish</c> receives it in <c>artifacts</c>:
/// <c>{"path": "…", "size_bytes": 123, "sha256": "…"}</c>.</summary>
public sealed record KitArtifact
{
    /// <summary>The file's path inside the release, with <c>/</c> separators.</summary>
    public required string Path { get; init; }

    /// <summary>The file's size in bytes.</summary>
    public required long SizeBytes { get; init; }

    /// <summary>The file's SHA-256, lowercase hex.</summary>
    public required string Sha256 { get; init; }
}
