using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Famiglia.Web.Spaces;

/// <summary>One Agent Data API request: who, what, the outcome, when. Unauthenticated requests have no agent.</summary>
public sealed class AuditLog
{
    public long Id { get; set; }

    public string? AgentConfigId { get; set; }

    public string? ApiKeyId { get; set; }

    public string? GroupId { get; set; }

    public required string Method { get; set; }

    /// <summary>The request path and query.</summary>
    public required string Endpoint { get; set; }

    public int Status { get; set; }

    public DateTime At { get; set; }
}

internal sealed class AuditLogConfiguration : IEntityTypeConfiguration<AuditLog>
{
    public void Configure(EntityTypeBuilder<AuditLog> audit)
    {
        audit.ToTable("AuditLogs");
        audit.HasIndex(a => new { a.AgentConfigId, a.At });
        audit.Property(a => a.Method).HasMaxLength(16);
        audit.Property(a => a.Endpoint).HasMaxLength(2048);
    }
}
