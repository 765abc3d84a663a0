namespace Aegis.Core.Kits;

/// <summary>What <c>validate_config</c> said about an app's config.</summary>
public sealed record KitConfigValidation
{
    /// <summary>The answer when the kit has no hooks: every config is fine.</summary>
    public static KitConfigValidation Valid { get; } = new() { Ok = true, Errors = [] };

    /// <summary>The config is acceptable.</summary>
    public required bool Ok { get; init; }

    /// <summary>What is wrong with the config, for the user; empty when <see cref="Ok"/>.</summary>
    public required IReadOnlyList<string> Errors { get; init; }
}
