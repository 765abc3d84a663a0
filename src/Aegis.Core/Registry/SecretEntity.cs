namespace Aegis.Core.Registry;

/// <summary>One app secret, encrypted at rest (see <see cref="Secrets.SecretProtector"/>).</summary>
public sealed class SecretEntity
{
    /// <summary>The app.</summary>
    public required string AppId { get; set; }

    /// <summary>The secret's name, e.g. <c>XMPP_PASSWORD</c>.</summary>
    public required string Name { get; set; }

    /// <summary>Nonce, tag and ciphertext.</summary>
    public required byte[] Ciphertext { get; set; }

    /// <summary>When it was last set.</summary>
    public DateTimeOffset UpdatedAt { get; set; }
}
