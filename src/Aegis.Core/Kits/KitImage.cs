namespace Aegis.Core.Kits;

/// <summary>The manifest's <c>image</c> section.</summary>
public sealed record KitImage
{
    /// <summary>The base image reference (<c>image.base</c>), e.g. <c>ghcr.io/famiglia/agent-base:latest</c>.</summary>
    public required string Base { get; init; }
}
