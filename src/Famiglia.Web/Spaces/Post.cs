using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Famiglia.Web.Spaces;

/// <summary>A post in the group feed.</summary>
public sealed class Post
{
    public string Id { get; set; } = Ids.New();

    public required string GroupId { get; set; }

    public required string AuthorId { get; set; }

    public User? Author { get; set; }

    public PostType Type { get; set; }

    public string? Text { get; set; }

    public string? MediaId { get; set; }

    public Media? Media { get; set; }

    public string? LinkUrl { get; set; }

    public DateTime CreatedAt { get; set; }
}

internal sealed class PostConfiguration : IEntityTypeConfiguration<Post>
{
    public void Configure(EntityTypeBuilder<Post> post)
    {
        post.ToTable("Posts");

        // The feed reads newest first, per group, optionally by type.
        post.HasIndex(p => new { p.GroupId, p.CreatedAt, p.Id });
        post.HasIndex(p => new { p.GroupId, p.Type, p.CreatedAt, p.Id });
        post.HasOne<Group>().WithMany().HasForeignKey(p => p.GroupId).OnDelete(DeleteBehavior.Cascade);
        post.HasOne(p => p.Author).WithMany().HasForeignKey(p => p.AuthorId).OnDelete(DeleteBehavior.Restrict);
        post.HasOne(p => p.Media).WithMany().HasForeignKey(p => p.MediaId).OnDelete(DeleteBehavior.SetNull);
        post.Property(p => p.Type).HasConversion<string>().HasMaxLength(16);
        post.Property(p => p.LinkUrl).HasMaxLength(2048);
    }
}
