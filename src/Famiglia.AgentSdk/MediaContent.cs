namespace Famiglia.AgentSdk;

/// <summary>The bytes of a media item (<c>api.media</c>).</summary>
/// <param name="ContentType">The content type, for instance <c>image/jpeg</c>.</param>
/// <param name="Bytes">The media's bytes.</param>
public sealed record MediaContent(string ContentType, byte[] Bytes);
