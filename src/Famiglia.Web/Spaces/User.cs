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

    /// <summary>ASP.NET Core Identity's hash of the sign-in password; null: the user cannot sign in.</summary>
    public string? PasswordHash { get; set; }

    /// <summary>The password of the user's XMPP account, with which famiglia-web sends their chat; generated on provisioning.</summary>
    public string? XmppPassword { get; set; }
}

internal sealed class UserConfiguration : IEntityTypeConfiguration<User>
{
    public void Configure(EntityTypeBuilder<User> user)
    {
        user.ToTable("Users");
        user.HasIndex(u => u.Handle).IsUnique();
        user.Property(u => u.Handle).HasMaxLength(320);
        user.Property(u => u.DisplayName).HasMaxLength(200);
        user.Property(u => u.PasswordHash).HasMaxLength(200);
        user.Property(u => u.XmppPassword).HasMaxLength(512); // sealed (SecretBox): ~170 characters
    }
}
