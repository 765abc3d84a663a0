using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Famiglia.Web.Spaces;

/// <summary>An issued Agent Data API key, stored as its SHA-256 hash. Revoked keys stay for the audit trail.</summary>
public sealed class ApiKey
{
    public string Id { get; set; } = Ids.New();

    public required string AgentConfigId { get; set; }

    public AgentConfig? AgentConfig { get; set; }

    /// <summary>The group the key reads; denormalised so that authentication is one indexed lookup.</summary>
    public required string GroupId { get; set; }

    /// <summary>Hex SHA-256 of the key.</summary>
    public required string Hash { get; set; }

    /// <summary>The first characters of the key, to tell keys apart in a UI without storing them.</summary>
    public required string Prefix { get; set; }

    public DateTime CreatedAt { get; set; }

    public DateTime? RevokedAt { get; set; }
}

internal sealed class ApiKeyConfiguration : IEntityTypeConfiguration<ApiKey>
{
    public void Configure(EntityTypeBuilder<ApiKey> key)
    {
        key.ToTable("ApiKeys");
        key.HasIndex(k => k.Hash).IsUnique();
        key.HasIndex(k => k.AgentConfigId);
        key.HasOne(k => k.AgentConfig).WithMany().HasForeignKey(k => k.AgentConfigId).OnDelete(DeleteBehavior.Cascade);
        key.HasOne<Group>().WithMany().HasForeignKey(k => k.GroupId).OnDelete(DeleteBehavior.Cascade);
        key.Property(k => k.Hash).HasMaxLength(64);
        key.Property(k => k.Prefix).HasMaxLength(16);
    }
}
