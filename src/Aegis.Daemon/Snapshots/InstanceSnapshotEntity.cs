namespace Aegis.Daemon.Snapshots;

/// <summary>
/// An instance's memory snapshot (the instance tier): written when the instance was terminated, restored by the
/// app's next ensure, deleted when restored, discarded, expired (<see cref="SnapshotOptions.MaxAge"/>) or when the app
/// is deleted. At most one per instance; ensure uses the app's newest.
/// </summary>
internal sealed class InstanceSnapshotEntity
{
    /// <summary>The terminated instance it continues.</summary>
    public required string InstanceId { get; set; }

    public required string AppId { get; set; }

    /// <summary>The release the instance ran: a restore for another release boots afresh instead.</summary>
    public string? ReleaseId { get; set; }

    /// <summary>The backend that wrote it; only that backend can restore it.</summary>
    public required string Backend { get; set; }

    /// <summary>Where the backend wrote it, below the data directory.</summary>
    public required string Directory { get; set; }

    public long MemoryBytes { get; set; }

    /// <summary>Everything it holds on disk.</summary>
    public long SizeBytes { get; set; }

    /// <summary>
    /// The app's volume (workspace and canvas) as the snapshot left it on the host. The snapshot carries its own copy
    /// of the volume's disks; when the host's files changed since, a restore would undo those changes, so ensure boots
    /// afresh on them instead.
    /// </summary>
    public required string VolumeFingerprint { get; set; }

    /// <summary>The environment (rendered env and secrets) the snapshotted processes run with, salted and hashed: a
    /// restore cannot give them a new one, so after a change (a rotated secret) ensure boots afresh.</summary>
    public required string EnvironmentHash { get; set; }

    /// <summary>When it was taken.</summary>
    public DateTimeOffset CreatedAt { get; set; }
}
