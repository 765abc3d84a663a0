using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Famiglia.Web.Spaces;

/// <summary>A conversational app: a JSON schema whose records are <see cref="AppRecord"/>s. Backed by an APP document.</summary>
public sealed class App
{
    public string Id { get; set; } = Ids.New();

    public required string GroupId { get; set; }

    public string? DocumentId { get; set; }

    public required string Name { get; set; }

    /// <summary>JSON Schema of one record.</summary>
    public required string SchemaJson { get; set; }

    public DateTime CreatedAt { get; set; }
}

internal sealed class AppConfiguration : IEntityTypeConfiguration<App>
{
    public void Configure(EntityTypeBuilder<App> app)
    {
        app.ToTable("Apps");
        app.HasIndex(a => new { a.GroupId, a.CreatedAt });
        app.HasOne<Group>().WithMany().HasForeignKey(a => a.GroupId).OnDelete(DeleteBehavior.Cascade);
        app.HasOne<RoomDocument>().WithMany().HasForeignKey(a => a.DocumentId).OnDelete(DeleteBehavior.SetNull);
        app.Property(a => a.Name).HasMaxLength(200);
    }
}
