using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Famiglia.Web.Spaces;

/// <summary>A room tab. <see cref="CrdtKey"/> is also the XMPP thread of the tab's chat.</summary>
public sealed class RoomDocument
{
    public string Id { get; set; } = Ids.New();

    public required string RoomId { get; set; }

    public Room? Room { get; set; }

    public DocumentType Type { get; set; }

    public required string Title { get; set; }

    public string CrdtKey { get; set; } = "doc_" + Ids.New();

    public DateTime CreatedAt { get; set; }

    public DateTime UpdatedAt { get; set; }
}

internal sealed class RoomDocumentConfiguration : IEntityTypeConfiguration<RoomDocument>
{
    public void Configure(EntityTypeBuilder<RoomDocument> document)
    {
        document.ToTable("RoomDocuments");
        document.HasIndex(d => new { d.RoomId, d.CreatedAt });
        document.HasIndex(d => d.CrdtKey).IsUnique();
        document.HasOne(d => d.Room).WithMany().HasForeignKey(d => d.RoomId).OnDelete(DeleteBehavior.Cascade);
        document.Property(d => d.Type).HasConversion<string>().HasMaxLength(16);
        document.Property(d => d.Title).HasMaxLength(200);
        document.Property(d => d.CrdtKey).HasMaxLength(128);
    }
}
