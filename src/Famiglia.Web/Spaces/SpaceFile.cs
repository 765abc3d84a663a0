using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Famiglia.Web.Spaces;

/// <summary>A file shared in the group (table <c>Files</c>); <see cref="Text"/> is its extracted text, indexed for search.</summary>
public sealed class SpaceFile
{
    public string Id { get; set; } = Ids.New();

    public required string GroupId { get; set; }

    public string? RoomId { get; set; }

    public string? UploadedById { get; set; }

    public required string Name { get; set; }

    public required string Mime { get; set; }

    public long Size { get; set; }

    public string Text { get; set; } = "";

    public DateTime CreatedAt { get; set; }
}

internal sealed class SpaceFileConfiguration : IEntityTypeConfiguration<SpaceFile>
{
    public void Configure(EntityTypeBuilder<SpaceFile> file)
    {
        file.ToTable("Files");
        file.HasIndex(f => new { f.GroupId, f.Name });
        file.HasOne<Group>().WithMany().HasForeignKey(f => f.GroupId).OnDelete(DeleteBehavior.Cascade);
        file.HasOne<Room>().WithMany().HasForeignKey(f => f.RoomId).OnDelete(DeleteBehavior.SetNull);
        file.HasOne<User>().WithMany().HasForeignKey(f => f.UploadedById).OnDelete(DeleteBehavior.SetNull);
        file.Property(f => f.Name).HasMaxLength(512);
        file.Property(f => f.Mime).HasMaxLength(128);
    }
}
