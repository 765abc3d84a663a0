using System.Text.RegularExpressions;

namespace PhotoLibrary;

/// <summary>Whether a message asks for the gallery: it mentions photo(s), gallery or library.</summary>
internal static partial class GalleryRequest
{
    public static bool Matches(string body) => Keywords().IsMatch(body);

    [GeneratedRegex(@"\b(photos?|gallery|library)\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Keywords();
}
