namespace Famiglia.AgentSdk;

/// <summary>A media item of a post.</summary>
/// <param name="Id">The media id, for <see cref="AgentDataApi.MediaAsync"/>.</param>
/// <param name="Mime">The content type, for instance <c>image/jpeg</c>.</param>
/// <param name="Size">The size in bytes.</param>
/// <param name="Width">The width in pixels, when known.</param>
/// <param name="Height">The height in pixels, when known.</param>
/// <param name="Url">The canvas-relative <c>_media/{id}</c> the canvas server proxies: use it as <c>&lt;img src&gt;</c>
/// in a page at the canvas root (<c>../_media/{id}</c> from a sub-directory).</param>
public sealed record MediaInfo(string Id, string Mime, long Size, int? Width, int? Height, string Url);
