using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Famiglia.Web.Spaces;

/// <summary>A user admitted to a room (what makes a <see cref="RoomVisibility.PARTICIPANTS_ONLY"/> room readable to them).</summary>
public sealed class RoomParticipant
{
    public required string RoomId { get; set; }

    public required string UserId { get; set; }

    public User? User { get; set; }
}

internal sealed class RoomParticipantConfiguration : IEntityTypeConfiguration<RoomParticipant>
{
    public void Configure(EntityTypeBuilder<RoomParticipant> participant)
    {
        participant.ToTable("RoomParticipants");
        participant.HasKey(p => new { p.RoomId, p.UserId });
        participant.HasOne<Room>().WithMany(r => r.Participants).HasForeignKey(p => p.RoomId).OnDelete(DeleteBehavior.Cascade);
        participant.HasOne(p => p.User).WithMany().HasForeignKey(p => p.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}
