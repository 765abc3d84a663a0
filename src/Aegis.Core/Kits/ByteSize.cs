using System.Globalization;
using System.Text.RegularExpressions;

namespace Aegis.Core.Kits;

/// <summary>Sizes as a manifest writes them: a whole number and a unit, e.g. <c>512mb</c> or <c>1gb</c>.</summary>
/// <remarks>
/// Units are case-insensitive and binary, as Docker, Firecracker and Fly mean them for memory:
/// <c>b</c>; <c>k</c>, <c>kb</c>, <c>kib</c> = 1024; <c>m</c>, <c>mb</c>, <c>mib</c> = 1024²; <c>g</c>, <c>gb</c>,
/// <c>gib</c> = 1024³; <c>t</c>, <c>tb</c>, <c>tib</c> = 1024⁴. So <c>512mb</c> is 536,870,912 bytes. A bare number
/// has no unit and is rejected, because <c>memory: 512</c> is far more likely a forgotten <c>mb</c> than 512 bytes.
/// Fractions (<c>1.5gb</c>) are rejected too: write <c>1536mb</c>.
/// </remarks>
public static partial class ByteSize
{
    private static readonly Dictionary<string, long> Units = new(StringComparer.OrdinalIgnoreCase)
    {
        ["b"] = 1,
        ["k"] = 1L << 10, ["kb"] = 1L << 10, ["kib"] = 1L << 10,
        ["m"] = 1L << 20, ["mb"] = 1L << 20, ["mib"] = 1L << 20,
        ["g"] = 1L << 30, ["gb"] = 1L << 30, ["gib"] = 1L << 30,
        ["t"] = 1L << 40, ["tb"] = 1L << 40, ["tib"] = 1L << 40,
    };

    /// <summary>Parses a size such as <c>512mb</c>, <c>1 GiB</c> or <c>256kb</c> into bytes.</summary>
    /// <returns>False when <paramref name="text"/> is not a whole number followed by a known unit, or overflows.</returns>
    public static bool TryParse(string? text, out long bytes)
    {
        bytes = 0;
        var match = text is null ? Match.Empty : Size().Match(text);
        if (!match.Success
            || !Units.TryGetValue(match.Groups["unit"].Value, out var unit)
            || !long.TryParse(match.Groups["number"].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
        {
            return false;
        }

        try
        {
            bytes = checked(number * unit);
            return true;
        }
        catch (OverflowException)
        {
            return false;
        }
    }

    /// <summary>Formats bytes with the largest unit that divides them, e.g. <c>536870912</c> as <c>512mb</c>.</summary>
    public static string Format(long bytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        (string Suffix, long Unit)[] units = [("tb", 1L << 40), ("gb", 1L << 30), ("mb", 1L << 20), ("kb", 1L << 10)];
        foreach (var (suffix, unit) in units)
        {
            if (bytes != 0 && bytes % unit == 0)
            {
                return (bytes / unit).ToString(CultureInfo.InvariantCulture) + suffix;
            }
        }

        return bytes.ToString(CultureInfo.InvariantCulture) + "b";
    }

    [GeneratedRegex(@"^\s*(?<number>[0-9]+)\s*(?<unit>[A-Za-z]+)\s*$", RegexOptions.CultureInvariant)]
    private static partial Regex Size();
}
