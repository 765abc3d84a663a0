using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Famiglia.Web.Spaces;

/// <summary>An uploaded blob. The bytes live in the <see cref="MediaStore"/>, not the database.</summary>
public sealed class Media
{
    public string Id { get; set; } = Ids.New();

    public required string GroupId { get; set; }

    public required string Mime { get; set; }

    public long Size { get; set; }

    /// <summary>Hex SHA-256 of the bytes: the ETag.</summary>
    public required string Sha256 { get; set; }

    /// <summary>Path under the media store, relative.</summary>
    public required string StorageKey { get; set; }

    public int? Width { get; set; }

    public int? Height { get; set; }

    public DateTime CreatedAt { get; set; }
}

internal sealed class MediaConfiguration : IEntityTypeConfiguration<Media>
{
    public void Configure(EntityTypeBuilder<Media> media)
    {
        media.ToTable("Media");
        media.HasIndex(m => m.GroupId);
        media.HasOne<Group>().WithMany().HasForeignKey(m => m.GroupId).OnDelete(DeleteBehavior.Cascade);
        media.Property(m => m.Mime).HasMaxLength(128);
        media.Property(m => m.Sha256).HasMaxLength(64);
        media.Property(m => m.StorageKey).HasMaxLength(256);
    }
}
