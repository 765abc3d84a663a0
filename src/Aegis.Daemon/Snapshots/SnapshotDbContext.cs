using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Aegis.Daemon.Snapshots;

/// <summary>aegisd's own table in the registry file: instance snapshots (<see cref="SnapshotStore.EnsureTableAsync"/>
/// creates it, also in a registry made by an older aegisd).</summary>
internal sealed class SnapshotDbContext(DbContextOptions<SnapshotDbContext> options) : DbContext(options)
{
    public DbSet<InstanceSnapshotEntity> Snapshots => Set<InstanceSnapshotEntity>();

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // As the registry: SQLite cannot order or compare DateTimeOffset.
        configurationBuilder.Properties<DateTimeOffset>().HaveConversion<DateTimeOffsetToBinaryConverter>();
    }

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<InstanceSnapshotEntity>(snapshot =>
        {
            snapshot.ToTable("InstanceSnapshots");
            snapshot.HasKey(s => s.InstanceId);
            snapshot.HasIndex(s => new { s.AppId, s.CreatedAt });
            snapshot.HasIndex(s => s.CreatedAt);
        });
    }
}
