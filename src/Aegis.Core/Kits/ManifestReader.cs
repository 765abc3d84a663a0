using System.Text;
using System.Text.RegularExpressions;
using YamlDotNet.Core;

namespace Aegis.Core.Kits;

/// <summary>Turns the text of one value into a typed value; false when the text is not one.</summary>
internal delegate bool ValueParser<T>(string text, out T value);

/// <summary>
/// Reads <see cref="ManifestNode"/>s against a schema and collects every problem with its key path, so that
/// one run over a manifest reports all of them instead of the first.
/// </summary>
internal sealed partial class ManifestReader
{
    private readonly List<KitManifestError> _errors = [];

    public IReadOnlyList<KitManifestError> Errors => _errors;

    public void Report(string path, ManifestNode at, string problem) =>
        _errors.Add(new KitManifestError(path, problem, at.Line, at.Column));

    public void Report(string path, Mark at, string problem) =>
        _errors.Add(new KitManifestError(path, problem, (int)Math.Max(1, Math.Min(at.Line, int.MaxValue)), (int)Math.Max(1, Math.Min(at.Column, int.MaxValue))));

    /// <summary>Opens <paramref name="node"/> as a mapping whose only keys are <paramref name="keys"/>.</summary>
    /// <returns>Null, with the problem reported, when the node is not a mapping.</returns>
    public ManifestSection? Section(ManifestNode node, string path, IReadOnlyList<string> keys)
    {
        if (node is ManifestMapping mapping)
        {
            return new ManifestSection(this, path, mapping, keys);
        }

        Report(path, node, path.Length == 0
            ? $"the manifest must be a mapping of keys, {node.Description}"
            : $"expected a mapping, {node.Description}");
        return null;
    }

    /// <summary>Reads a value where a single value belongs.</summary>
    /// <returns><paramref name="fallback"/> when the node is absent or has a reported problem.</returns>
    public T Read<T>(ManifestNode? node, string path, ManifestNode missingAt, bool required, T fallback, ValueParser<T> parse, Func<string, string> problem)
    {
        switch (node)
        {
            case null or ManifestScalar { IsNull: true }:
                if (required)
                {
                    Report(path, node ?? missingAt, "required");
                }

                return fallback;
            case ManifestScalar scalar when parse(scalar.Value, out var value):
                return value;
            case ManifestScalar scalar:
                Report(path, scalar, problem(scalar.Value));
                return fallback;
            default:
                Report(path, node, $"expected a value, {node.Description}");
                return fallback;
        }
    }

    /// <summary>How a value appears in a message: numbers as they are, anything else quoted.</summary>
    public static string Show(string value)
    {
        if (Number().IsMatch(value))
        {
            return value;
        }

        var shown = value.Length > 60 ? string.Concat(value.AsSpan(0, 57), "...") : value;
        var quoted = new StringBuilder(shown.Length + 2).Append('"');
        foreach (var c in shown)
        {
            _ = c switch
            {
                '"' => quoted.Append("\\\""),
                '\\' => quoted.Append(@"\\"),
                '\n' => quoted.Append(@"\n"),
                '\t' => quoted.Append(@"\t"),
                _ when char.IsControl(c) => quoted.Append($"\\u{(int)c:x4}"),
                _ => quoted.Append(c),
            };
        }

        return quoted.Append('"').ToString();
    }

    /// <summary>The known key closest to a misspelt one, when it is close enough to be what was meant.</summary>
    public static string? Closest(string key, IReadOnlyList<string> known)
    {
        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var candidate in known)
        {
            var distance = EditDistance(key.ToLowerInvariant(), candidate);
            if (distance < bestDistance)
            {
                (best, bestDistance) = (candidate, distance);
            }
        }

        return bestDistance <= Math.Max(1, Math.Min(3, key.Length / 3)) ? best : null;
    }

    private static int EditDistance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
                current[j] = Math.Min(substitution, Math.Min(previous[j], current[j - 1]) + 1);
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }

    [GeneratedRegex(@"^-?[0-9]+(\.[0-9]+)?$", RegexOptions.CultureInvariant)]
    private static partial Regex Number();
}
