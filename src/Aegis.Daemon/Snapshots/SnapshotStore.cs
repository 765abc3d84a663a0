using Aegis.Daemon.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Aegis.Daemon.Snapshots;

/// <summary>Instance snapshots: their rows in the registry file and their directories below <c>&lt;data&gt;/snapshots</c>.</summary>
internal sealed class SnapshotStore(IDbContextFactory<SnapshotDbContext> db, IOptions<AegisOptions> options)
{
    public string Root => Path.Combine(options.Value.DataDirectory, "snapshots");

    /// <summary>Where the snapshot of <paramref name="instanceId"/> is written.</summary>
    public string DirectoryFor(string instanceId) => Path.Combine(Root, instanceId);

    /// <summary>Creates the table when missing: in a new registry and in one an older aegisd made.</summary>
    public async Task EnsureTableAsync(CancellationToken cancellationToken)
    {
        await using var context = await db.CreateDbContextAsync(cancellationToken);
        var script = context.Database.GenerateCreateScript()
            .Replace("CREATE TABLE ", "CREATE TABLE IF NOT EXISTS ", StringComparison.Ordinal)
            .Replace("CREATE INDEX ", "CREATE INDEX IF NOT EXISTS ", StringComparison.Ordinal)
            .Replace("CREATE UNIQUE INDEX ", "CREATE UNIQUE INDEX IF NOT EXISTS ", StringComparison.Ordinal);
        await context.Database.ExecuteSqlRawAsync(script, cancellationToken);
    }

    public async Task AddAsync(InstanceSnapshotEntity snapshot, CancellationToken cancellationToken)
    {
        await using var context = await db.CreateDbContextAsync(cancellationToken);
        context.Snapshots.Add(snapshot);
        await context.SaveChangesAsync(cancellationToken);
    }

    /// <summary>The app's newest snapshot, the one ensure restores.</summary>
    public async Task<InstanceSnapshotEntity?> FindNewestAsync(string appId, CancellationToken cancellationToken)
    {
        await using var context = await db.CreateDbContextAsync(cancellationToken);
        return await context.Snapshots.AsNoTracking().Where(s => s.AppId == appId).OrderByDescending(s => s.CreatedAt).FirstOrDefaultAsync(cancellationToken);
    }

    public async Task<List<InstanceSnapshotEntity>> ListAsync(string? appId, CancellationToken cancellationToken)
    {
        await using var context = await db.CreateDbContextAsync(cancellationToken);
        var query = context.Snapshots.AsNoTracking();
        if (appId is not null)
        {
            query = query.Where(s => s.AppId == appId);
        }

        return await query.OrderBy(s => s.CreatedAt).ToListAsync(cancellationToken);
    }

    public async Task<Dictionary<string, InstanceSnapshotEntity>> FindByInstancesAsync(IReadOnlyCollection<string> instanceIds, CancellationToken cancellationToken)
    {
        await using var context = await db.CreateDbContextAsync(cancellationToken);
        return await context.Snapshots.AsNoTracking().Where(s => instanceIds.Contains(s.InstanceId)).ToDictionaryAsync(s => s.InstanceId, cancellationToken);
    }

    public async Task<List<InstanceSnapshotEntity>> OlderThanAsync(DateTimeOffset cutoff, CancellationToken cancellationToken)
    {
        await using var context = await db.CreateDbContextAsync(cancellationToken);
        return await context.Snapshots.AsNoTracking().Where(s => s.CreatedAt < cutoff).ToListAsync(cancellationToken);
    }

    /// <summary>Deletes the row, then the files (what a crash in between leaves is swept by <see cref="RemoveOrphansAsync"/>).</summary>
    public async Task DeleteAsync(InstanceSnapshotEntity snapshot, CancellationToken cancellationToken)
    {
        await using (var context = await db.CreateDbContextAsync(cancellationToken))
        {
            await context.Snapshots.Where(s => s.InstanceId == snapshot.InstanceId).ExecuteDeleteAsync(cancellationToken);
        }

        DeleteDirectory(snapshot.Directory);
    }

    /// <summary>Directories below <see cref="Root"/> no row names: a snapshot interrupted while it was written, or one whose
    /// row was deleted just before a crash. Only at start-up, when nothing is being written.</summary>
    public async Task<List<string>> RemoveOrphansAsync(CancellationToken cancellationToken)
    {
        var removed = new List<string>();
        if (!Directory.Exists(Root))
        {
            return removed;
        }

        await using var context = await db.CreateDbContextAsync(cancellationToken);
        var known = (await context.Snapshots.AsNoTracking().Select(s => s.InstanceId).ToListAsync(cancellationToken)).ToHashSet(StringComparer.Ordinal);
        foreach (var directory in Directory.EnumerateDirectories(Root).Where(d => !known.Contains(Path.GetFileName(d))))
        {
            DeleteDirectory(directory);
            removed.Add(directory);
        }

        return removed;
    }

    public static void DeleteDirectory(string directory)
    {
        if (Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
