namespace Aegis.Daemon.Images;

/// <summary>
/// One built image on this host (<c>Aegis:Images:N</c>): the reference kits name in <c>image.base</c> and the directory
/// <c>images/agent-base/build --out</c> made, holding <c>image.json</c> and <c>rootfs/</c>.
/// </summary>
/// <remarks>
/// A list rather than a map by reference, because references contain colons, which configuration keys use as
/// separators: <c>--Aegis:Images:0:Reference=ghcr.io/famiglia/agent-base:latest --Aegis:Images:0:Path=/srv/agent-base</c>.
/// </remarks>
public sealed record ImageMapping
{
    /// <summary>The image reference, e.g. <c>ghcr.io/famiglia/agent-base:latest</c>; without a tag it means <c>:latest</c>.</summary>
    public string Reference { get; init; } = "";

    /// <summary>Absolute path of the image directory.</summary>
    public string Path { get; init; } = "";
}
