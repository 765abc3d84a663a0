namespace Aegis.Core.Registry;

/// <summary>An immutable published version of an app: its unpacked artifacts.</summary>
public sealed class ReleaseEntity
{
    /// <summary>The release id, e.g. <c>rel_…</c>.</summary>
    public required string Id { get; set; }

    /// <summary>The app.</summary>
    public required string AppId { get; set; }

    /// <summary>1, 2, 3… per app; the highest is current.</summary>
    public int Version { get; set; }

    /// <summary>Where the artifacts are unpacked (read-only once published).</summary>
    public required string ArtifactDirectory { get; set; }

    /// <summary>SHA-256 of the uploaded archive, hex.</summary>
    public required string Sha256 { get; set; }

    /// <summary>Size of the uploaded archive.</summary>
    public long SizeBytes { get; set; }

    /// <summary>When it was published.</summary>
    public DateTimeOffset CreatedAt { get; set; }
}
