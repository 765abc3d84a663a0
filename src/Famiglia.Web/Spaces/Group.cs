using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Famiglia.Web.Spaces;

/// <summary>A Space: the unit that agents' API keys are scoped to.</summary>
public sealed class Group
{
    public string Id { get; set; } = Ids.New();

    public required string Slug { get; set; }

    public required string Name { get; set; }

    public DateTime CreatedAt { get; set; }

    /// <summary>Environment every agent of the group gets (the kit's <c>per_workspace</c> secrets, e.g. an AI provider key),
    /// under an agent's own extra environment: a JSON object sealed with the SecretBox; null when none.</summary>
    public string? AgentEnv { get; set; }

    public List<Member> Members { get; set; } = [];

    public List<Room> Rooms { get; set; } = [];
}

internal sealed class GroupConfiguration : IEntityTypeConfiguration<Group>
{
    public void Configure(EntityTypeBuilder<Group> group)
    {
        group.ToTable("Groups");
        group.HasIndex(g => g.Slug).IsUnique();
        group.Property(g => g.Slug).HasMaxLength(64);
        group.Property(g => g.Name).HasMaxLength(200);
    }
}
