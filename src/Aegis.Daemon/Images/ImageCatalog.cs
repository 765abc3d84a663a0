using System.Collections.Concurrent;
using System.Text.Json;
using Aegis.Daemon.Infrastructure;
using Aegis.Sandbox;
using Microsoft.Extensions.Options;

namespace Aegis.Daemon.Images;

/// <summary>
/// Resolves a kit's <c>image.base</c> to a built image on this host (<c>Aegis:Images</c>). The image directory's
/// <c>image.json</c> is read at every boot, so a rebuilt image is used from the next boot on. A reference that is not
/// configured boots on the host's /usr, with one warning per reference.
/// </summary>
internal sealed partial class ImageCatalog(IOptions<AegisOptions> options, ILogger<ImageCatalog> logger)
{
    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);

    private readonly ConcurrentDictionary<string, bool> _warned = new(StringComparer.Ordinal);

    /// <summary>Whether <paramref name="reference"/> is configured (whether or not its directory is usable).</summary>
    public bool IsInstalled(string reference) => Find(reference) is not null;

    /// <summary>The image <paramref name="reference"/> names, or null when it is not configured.</summary>
    /// <exception cref="SandboxException">The image is configured but its directory is missing or broken.</exception>
    public async Task<BootImage?> LoadAsync(string reference, CancellationToken cancellationToken)
    {
        var mapping = Find(reference);
        if (mapping is null)
        {
            if (_warned.TryAdd(Normalize(reference), true))
            {
                NotInstalled(logger, reference);
            }

            return null;
        }

        var file = Path.Combine(mapping.Path, "image.json");
        var rootfs = Path.Combine(mapping.Path, "rootfs");
        if (!File.Exists(file) || !Directory.Exists(Path.Combine(rootfs, "usr")))
        {
            throw new SandboxException(
                $"image {reference} is configured at {mapping.Path}, which holds no built image (image.json and rootfs/usr); build it (agent-base: images/agent-base/build --out {mapping.Path})");
        }

        ImageJson? json;
        try
        {
            await using var stream = File.OpenRead(file);
            json = await JsonSerializer.DeserializeAsync<ImageJson>(stream, JsonOptions, cancellationToken);
        }
        catch (JsonException exception)
        {
            throw new SandboxException($"image {reference}: {file} is not a valid image.json: {exception.Message}", exception);
        }

        return new BootImage(reference, new SandboxImage(rootfs) { Environment = json?.Env ?? new Dictionary<string, string>() }, json?.Entrypoint ?? []);
    }

    private ImageMapping? Find(string reference)
    {
        var normalized = Normalize(reference);

        // The last entry wins, as later configuration sources override earlier ones.
        return options.Value.Images.LastOrDefault(i => Normalize(i.Reference) == normalized);
    }

    /// <summary><c>name</c> and <c>name:latest</c> are one image; a digest or another tag is another.</summary>
    private static string Normalize(string reference)
    {
        var name = reference[(reference.LastIndexOf('/') + 1)..];
        return name.Contains(':', StringComparison.Ordinal) || name.Contains('@', StringComparison.Ordinal) ? reference : reference + ":latest";
    }

    [LoggerMessage(1, LogLevel.Warning, "Image {Reference} is not installed; sandboxes use the host's /usr (configure Aegis:Images to boot a built image)")]
    private static partial void NotInstalled(ILogger logger, string reference);

    private sealed record ImageJson(string[]? Entrypoint, Dictionary<string, string>? Env);
}
