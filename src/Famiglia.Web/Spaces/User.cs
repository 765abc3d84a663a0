using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Famiglia.Web.Spaces;

/// <summary>A person. <see cref="Handle"/> is the Famiglia identifier, <c>@u:alice@dev1.localhost</c>.</summary>
public sealed class User
{
    public string Id { get; set; } = Ids.New();

    public required string Handle { get; set; }

    public required string DisplayName { get; set; }

    public DateTime CreatedAt { get; set; }
}

internal sealed class UserConfiguration : IEntityTypeConfiguration<User>
{
    public void Configure(EntityTypeBuilder<User> user)
    {
        user.ToTable("Users");
        user.HasIndex(u => u.Handle).IsUnique();
        user.Property(u => u.Handle).HasMaxLength(320);
        user.Property(u => u.DisplayName).HasMaxLength(200);
    }
}
