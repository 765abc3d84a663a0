using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Aegis.Core.Registry;

/// <summary>The registry: kits, apps, secrets, releases, instances and events in one SQLite file (WAL).</summary>
public sealed class AegisDbContext(DbContextOptions<AegisDbContext> options) : DbContext(options)
{
    /// <summary>Installed kits.</summary>
    public DbSet<KitEntity> Kits => Set<KitEntity>();

    /// <summary>Registered apps.</summary>
    public DbSet<AppEntity> Apps => Set<AppEntity>();

    /// <summary>Encrypted app secrets.</summary>
    public DbSet<SecretEntity> Secrets => Set<SecretEntity>();

    /// <summary>Published releases.</summary>
    public DbSet<ReleaseEntity> Releases => Set<ReleaseEntity>();

    /// <summary>Instances, live and ended.</summary>
    public DbSet<InstanceEntity> Instances => Set<InstanceEntity>();

    /// <summary>The event log.</summary>
    public DbSet<EventEntity> Events => Set<EventEntity>();

    /// <inheritdoc />
    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        ArgumentNullException.ThrowIfNull(configurationBuilder);

        // SQLite cannot order or compare DateTimeOffset: store it as a sortable long.
        configurationBuilder.Properties<DateTimeOffset>().HaveConversion<DateTimeOffsetToBinaryConverter>();
    }

    /// <inheritdoc />
    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        ArgumentNullException.ThrowIfNull(modelBuilder);
        modelBuilder.Entity<KitEntity>().HasKey(k => k.Name);
        modelBuilder.Entity<AppEntity>(app =>
        {
            app.HasKey(a => a.Id);
            app.HasIndex(a => new { a.Kit, a.Group });
        });
        modelBuilder.Entity<SecretEntity>().HasKey(s => new { s.AppId, s.Name });
        modelBuilder.Entity<ReleaseEntity>(release =>
        {
            release.HasKey(r => r.Id);
            release.HasIndex(r => new { r.AppId, r.Version }).IsUnique();
        });
        modelBuilder.Entity<InstanceEntity>(instance =>
        {
            instance.HasKey(i => i.Id);
            instance.HasIndex(i => new { i.AppId, i.State });
            instance.Property(i => i.State).HasConversion<string>();
        });
        modelBuilder.Entity<EventEntity>().HasKey(e => e.Id);
    }
}
