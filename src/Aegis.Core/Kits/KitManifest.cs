namespace Aegis.Core.Kits;

/// <summary>
/// A kit's <c>aegis-kit.yaml</c>: what the kit is, the image its sandboxes boot, the secrets its apps need,
/// how the router reaches them, what they may reach, and the resources each sandbox gets.
/// </summary>
/// <remarks>
/// The schema is the one in FAMIGLIA_KIT_SPEC.md §2. <see cref="Parse"/> rejects unknown keys and bad values
/// and reports every problem at once, each with its key path (<c>secrets.required[2].scope</c>), line and column.
/// </remarks>
public sealed record KitManifest
{
    /// <summary>The manifest's file name inside a kit directory.</summary>
    public const string FileName = "aegis-kit.yaml";

    /// <summary>The kit's name (<c>name</c>): lowercase letters, digits and <c>-</c>, starting with a letter.</summary>
    public required string Name { get; init; }

    /// <summary>The kit's semantic version (<c>version</c>), e.g. <c>1.0.0</c>.</summary>
    public required string Version { get; init; }

    /// <summary>One line about the kit (<c>description</c>); null when absent.</summary>
    public string? Description { get; init; }

    /// <summary>Where to read about the kit (<c>homepage</c>): an absolute http(s) URL; null when absent.</summary>
    public Uri? Homepage { get; init; }

    /// <summary>The image sandboxes of this kit boot from (<c>image</c>, required).</summary>
    public required KitImage Image { get; init; }

    /// <summary>The secrets apps of this kit carry (<c>secrets</c>); none when absent.</summary>
    public KitSecrets Secrets { get; init; } = KitSecrets.None;

    /// <summary>How the router reaches serving instances (<c>routing</c>); null when the kit serves nothing.</summary>
    public KitRouting? Routing { get; init; }

    /// <summary>What sandboxes may reach (<c>networking</c>); <see cref="KitNetworking.Default"/> when absent.</summary>
    public KitNetworking Networking { get; init; } = KitNetworking.Default;

    /// <summary>The lifecycle policies of tasks and serving instances (<c>policies</c>); <see cref="KitPolicies.Default"/> when absent.</summary>
    public KitPolicies Policies { get; init; } = KitPolicies.Default;

    /// <summary>What each sandbox gets (<c>resources</c>, required).</summary>
    public required KitResources Resources { get; init; }

    /// <summary>Parses and validates a manifest.</summary>
    /// <param name="yaml">The manifest's text.</param>
    /// <param name="source">The name error messages give the manifest, usually its path.</param>
    /// <exception cref="KitManifestException">The YAML is malformed or does not follow the schema; <see cref="KitManifestException.Errors"/> lists every problem.</exception>
    public static KitManifest Parse(string yaml, string source = FileName)
    {
        ArgumentNullException.ThrowIfNull(yaml);
        ArgumentNullException.ThrowIfNull(source);
        return KitManifestReader.Read(yaml, source);
    }

    /// <summary>Reads, parses and validates the manifest at <paramref name="path"/>.</summary>
    /// <param name="path">The manifest file, or a kit directory holding <see cref="FileName"/>.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <exception cref="KitManifestException">The manifest is invalid.</exception>
    /// <exception cref="FileNotFoundException">There is no manifest at <paramref name="path"/>.</exception>
    public static async Task<KitManifest> LoadAsync(string path, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var file = Directory.Exists(path) ? System.IO.Path.Combine(path, FileName) : path;
        var yaml = await File.ReadAllTextAsync(file, cancellationToken);
        return KitManifestReader.Read(yaml, file);
    }
}
