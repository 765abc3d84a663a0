namespace Aegis.Core.Kits;

/// <summary>The manifest's <c>secrets</c> section.</summary>
public sealed record KitSecrets
{
    /// <summary>A kit that declares no secrets.</summary>
    public static KitSecrets None { get; } = new() { Required = [] };

    /// <summary>The secrets every app of the kit is registered with (<c>secrets.required</c>), in manifest order.
    /// Names are unique.</summary>
    public required IReadOnlyList<SecretSpec> Required { get; init; }
}
