using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Famiglia.Web.Spaces;

/// <summary>A room of a group; its MUC is <c>{Slug}.{groupSlug}@conference.{host}</c>.</summary>
public sealed class Room
{
    public string Id { get; set; } = Ids.New();

    public required string GroupId { get; set; }

    public Group? Group { get; set; }

    public required string Slug { get; set; }

    public required string Name { get; set; }

    public RoomVisibility Visibility { get; set; } = RoomVisibility.PUBLIC;

    public DateTime CreatedAt { get; set; }

    public List<RoomParticipant> Participants { get; set; } = [];
}

internal sealed class RoomConfiguration : IEntityTypeConfiguration<Room>
{
    public void Configure(EntityTypeBuilder<Room> room)
    {
        room.ToTable("Rooms");
        room.HasIndex(r => new { r.GroupId, r.Slug }).IsUnique();
        room.HasOne(r => r.Group).WithMany(g => g.Rooms).HasForeignKey(r => r.GroupId).OnDelete(DeleteBehavior.Cascade);
        room.Property(r => r.Slug).HasMaxLength(64);
        room.Property(r => r.Name).HasMaxLength(200);
        room.Property(r => r.Visibility).HasConversion<string>().HasMaxLength(32);
    }
}
