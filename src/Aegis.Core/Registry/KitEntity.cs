namespace Aegis.Core.Registry;

/// <summary>An installed kit: its manifest as installed and where its hooks executable lives.</summary>
public sealed class KitEntity
{
    /// <summary>The kit's name (unique).</summary>
    public required string Name { get; set; }

    /// <summary>The manifest's version.</summary>
    public required string Version { get; set; }

    /// <summary>The manifest text, as installed.</summary>
    public required string ManifestYaml { get; set; }

    /// <summary>The hooks executable inside the daemon's data dir, or null.</summary>
    public string? HooksPath { get; set; }

    /// <summary>When it was (re)installed.</summary>
    public DateTimeOffset InstalledAt { get; set; }
}
