using Microsoft.EntityFrameworkCore;

namespace Famiglia.Web.Spaces;

/// <summary>
/// Famiglia's database: Space data, agents, keys and the audit log. One model on two providers; each provider has its
/// own context type only so that each has its own migrations (<see cref="SqliteFamigliaDbContext"/>,
/// <see cref="PostgresFamigliaDbContext"/>). The rest of the code asks for this type.
/// </summary>
public abstract class FamigliaDbContext(DbContextOptions options) : DbContext(options)
{
    public DbSet<User> Users => Set<User>();

    public DbSet<Group> Groups => Set<Group>();

    public DbSet<Member> Members => Set<Member>();

    public DbSet<Room> Rooms => Set<Room>();

    public DbSet<RoomParticipant> RoomParticipants => Set<RoomParticipant>();

    public DbSet<Post> Posts => Set<Post>();

    public DbSet<Media> Media => Set<Media>();

    public DbSet<Message> Messages => Set<Message>();

    public DbSet<RoomDocument> Documents => Set<RoomDocument>();

    public DbSet<App> Apps => Set<App>();

    public DbSet<AppRecord> AppRecords => Set<AppRecord>();

    public DbSet<SpaceFile> Files => Set<SpaceFile>();

    public DbSet<AgentConfig> AgentConfigs => Set<AgentConfig>();

    public DbSet<ApiKey> ApiKeys => Set<ApiKey>();

    public DbSet<AuditLog> AuditLogs => Set<AuditLog>();

    protected override void OnModelCreating(ModelBuilder modelBuilder) =>
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(FamigliaDbContext).Assembly);

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        configurationBuilder.Properties<DateTime>().HaveConversion<UtcDateTimeConverter>();
        configurationBuilder.Properties<DateTime?>().HaveConversion<UtcDateTimeConverter>();
    }
}

/// <summary>The SQLite database (the default: a file under the data dir). Migrations in <c>Migrations/Sqlite</c>.</summary>
public sealed class SqliteFamigliaDbContext(DbContextOptions<SqliteFamigliaDbContext> options) : FamigliaDbContext(options);

/// <summary>The PostgreSQL database (when <c>ConnectionStrings:Famiglia</c> is set). Migrations in <c>Migrations/Postgres</c>.</summary>
public sealed class PostgresFamigliaDbContext(DbContextOptions<PostgresFamigliaDbContext> options) : FamigliaDbContext(options);
