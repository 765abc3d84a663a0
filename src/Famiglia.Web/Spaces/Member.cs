using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Famiglia.Web.Spaces;

/// <summary>A user's membership of a group.</summary>
public sealed class Member
{
    public string Id { get; set; } = Ids.New();

    public required string GroupId { get; set; }

    public required string UserId { get; set; }

    public User? User { get; set; }

    public MemberRole Role { get; set; } = MemberRole.MEMBER;

    public DateTime JoinedAt { get; set; }
}

internal sealed class MemberConfiguration : IEntityTypeConfiguration<Member>
{
    public void Configure(EntityTypeBuilder<Member> member)
    {
        member.ToTable("Members");
        member.HasIndex(m => new { m.GroupId, m.UserId }).IsUnique();
        member.HasOne<Group>().WithMany(g => g.Members).HasForeignKey(m => m.GroupId).OnDelete(DeleteBehavior.Cascade);
        member.HasOne(m => m.User).WithMany().HasForeignKey(m => m.UserId).OnDelete(DeleteBehavior.Cascade);
        member.Property(m => m.Role).HasConversion<string>().HasMaxLength(16);
    }
}
