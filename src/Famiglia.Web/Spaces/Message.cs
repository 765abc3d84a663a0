using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Famiglia.Web.Spaces;

/// <summary>A chat message as the XMPP worker saved it from the room's MUC.</summary>
public sealed class Message
{
    public string Id { get; set; } = Ids.New();

    public required string RoomId { get; set; }

    /// <summary>The user who wrote it; null for service actors (agents), which <see cref="AuthorNick"/> names.</summary>
    public string? AuthorId { get; set; }

    public User? Author { get; set; }

    /// <summary>The MUC nick, e.g. <c>@u:alice@dev1.localhost</c> or <c>@s:photo-agent@dev1.localhost</c>.</summary>
    public required string AuthorNick { get; set; }

    public required string Body { get; set; }

    /// <summary>XEP-0201 thread: a document's CRDT key for document tab chat, null for the room's main chat.</summary>
    public string? Thread { get; set; }

    /// <summary>XEP-0359 stanza-id assigned by the MUC; unique per room.</summary>
    public string? StanzaId { get; set; }

    public DateTime CreatedAt { get; set; }
}

internal sealed class MessageConfiguration : IEntityTypeConfiguration<Message>
{
    public void Configure(EntityTypeBuilder<Message> message)
    {
        message.ToTable("Messages");
        message.HasIndex(m => new { m.RoomId, m.CreatedAt, m.Id });
        message.HasIndex(m => new { m.RoomId, m.StanzaId }).IsUnique();
        message.HasOne<Room>().WithMany().HasForeignKey(m => m.RoomId).OnDelete(DeleteBehavior.Cascade);
        message.HasOne(m => m.Author).WithMany().HasForeignKey(m => m.AuthorId).OnDelete(DeleteBehavior.SetNull);
        message.Property(m => m.AuthorNick).HasMaxLength(320);
        message.Property(m => m.Thread).HasMaxLength(128);
        message.Property(m => m.StanzaId).HasMaxLength(128);
    }
}
