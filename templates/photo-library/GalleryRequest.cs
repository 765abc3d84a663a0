using System.Text.RegularExpressions;

namespace PhotoLibrary;

/// <summary>Whether a message asks for the gallery. In the agent's own tab every message is for it, so mentioning
/// photo(s), gallery or library is enough; in the room's main chat people also talk about photos to each other, so
/// there it takes a request as well (build, make, create, show, update, refresh, generate).</summary>
internal static partial class GalleryRequest
{
    public static bool Matches(string body, bool inMainChat) =>
        Keywords().IsMatch(body) && (!inMainChat || Request().IsMatch(body));

    [GeneratedRegex(@"\b(photos?|gallery|library)\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Keywords();

    [GeneratedRegex(@"\b(build|make|create|show|update|refresh|generate)\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Request();
}
