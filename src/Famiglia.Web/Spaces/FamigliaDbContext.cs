using Microsoft.EntityFrameworkCore;

namespace Famiglia.Web.Spaces;

/// <summary>Famiglia's database: Space data, agents, keys and the audit log.</summary>
public sealed class FamigliaDbContext(DbContextOptions<FamigliaDbContext> options) : DbContext(options)
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
