using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Famiglia.Web.Spaces;

/// <summary>One record of an <see cref="App"/>, as JSON.</summary>
public sealed class AppRecord
{
    public string Id { get; set; } = Ids.New();

    public required string AppId { get; set; }

    public required string DataJson { get; set; }

    public DateTime CreatedAt { get; set; }

    public DateTime UpdatedAt { get; set; }
}

internal sealed class AppRecordConfiguration : IEntityTypeConfiguration<AppRecord>
{
    public void Configure(EntityTypeBuilder<AppRecord> record)
    {
        record.ToTable("AppRecords");
        record.HasIndex(r => new { r.AppId, r.CreatedAt, r.Id });
        record.HasOne<App>().WithMany().HasForeignKey(r => r.AppId).OnDelete(DeleteBehavior.Cascade);
    }
}
