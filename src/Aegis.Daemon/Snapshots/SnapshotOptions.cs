namespace Aegis.Daemon.Snapshots;

/// <summary>Instance snapshots (section "Aegis:Snapshots"): taken on terminate when the backend can, restored by ensure.</summary>
public sealed record SnapshotOptions
{
    /// <summary>A snapshot older than this is deleted (files and row) by the sweep; the next ensure then boots afresh.</summary>
    public TimeSpan MaxAge { get; init; } = TimeSpan.FromDays(7);

    /// <summary>How often the sweep looks for expired snapshots.</summary>
    public TimeSpan SweepInterval { get; init; } = TimeSpan.FromMinutes(10);
}
