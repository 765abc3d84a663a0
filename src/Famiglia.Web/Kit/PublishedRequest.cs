namespace Famiglia.Web.Kit;

/// <summary>The kit's <c>on_publish</c>: the Aegis app published a release (<paramref name="Artifacts"/> are its file paths).</summary>
internal sealed record PublishedRequest(string? AppId, string? Version, IReadOnlyList<string>? Artifacts);
