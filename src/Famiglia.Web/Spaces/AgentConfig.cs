using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Famiglia.Web.Spaces;

/// <summary>Spec §7.2, field for field. One per AGENT document.</summary>
public sealed class AgentConfig
{
    public string Id { get; set; } = Ids.New();

    public required string DocumentId { get; set; }

    public RoomDocument? Document { get; set; }

    // Agent identity
    public required string Name { get; set; }

    public string? Description { get; set; }

    // Aegis integration
    public string? AegisAppId { get; set; }

    /// <summary>Current Aegis InstanceID (transient).</summary>
    public string? AegisInstanceId { get; set; }

    public AgentStatus Status { get; set; } = AgentStatus.STOPPED;

    /// <summary>The Data API key, as its SHA-256 hash (hex) — never the key itself, which is shown once.
    /// The <see cref="ApiKey"/> rows carry the history and revocation.</summary>
    public required string ApiKey { get; set; }

    // Auth — XMPP
    public required string XmppUser { get; set; }

    public required string XmppPassword { get; set; }

    // Configuration
    /// <summary>Extra env vars as a JSON object (AI API keys, MCP config).</summary>
    public string? Env { get; set; }

    public bool CanvasEnabled { get; set; } = true;

    // Lifecycle
    public DateTime? LastHeartbeat { get; set; }

    public DateTime? StartedAt { get; set; }

    public DateTime? StoppedAt { get; set; }

    public DateTime CreatedAt { get; set; }

    public DateTime UpdatedAt { get; set; }
}

internal sealed class AgentConfigConfiguration : IEntityTypeConfiguration<AgentConfig>
{
    public void Configure(EntityTypeBuilder<AgentConfig> agent)
    {
        agent.ToTable("AgentConfigs");
        agent.HasIndex(a => a.DocumentId).IsUnique();
        agent.HasIndex(a => a.ApiKey).IsUnique();
        agent.HasIndex(a => a.XmppUser).IsUnique();
        agent.HasOne(a => a.Document).WithOne().HasForeignKey<AgentConfig>(a => a.DocumentId).OnDelete(DeleteBehavior.Cascade);
        agent.Property(a => a.Status).HasConversion<string>().HasMaxLength(16).HasDefaultValue(AgentStatus.STOPPED);
        agent.Property(a => a.CanvasEnabled).HasDefaultValue(true).HasSentinel(true);
        agent.Property(a => a.Name).HasMaxLength(200);
        agent.Property(a => a.ApiKey).HasMaxLength(64);
        agent.Property(a => a.XmppUser).HasMaxLength(128);
    }
}
