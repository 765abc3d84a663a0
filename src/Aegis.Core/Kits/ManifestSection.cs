namespace Aegis.Core.Kits;

/// <summary>One mapping of a manifest, read against the keys the schema allows there. Opening it reports
/// unknown and repeated keys; each read reports a missing or bad value under the key's path.</summary>
internal sealed class ManifestSection
{
    private readonly ManifestReader _reader;
    private readonly ManifestMapping _mapping;
    private readonly Dictionary<string, ManifestNode> _values = new(StringComparer.Ordinal);

    public ManifestSection(ManifestReader reader, string path, ManifestMapping mapping, IReadOnlyList<string> keys)
    {
        _reader = reader;
        _mapping = mapping;
        Path = path;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (key, value) in mapping.Entries)
        {
            var where = path.Length == 0 ? " at the top level" : "";
            if (!keys.Contains(key.Value, StringComparer.Ordinal))
            {
                var hint = ManifestReader.Closest(key.Value, keys) is { } closest ? $" (did you mean \"{closest}\"?)" : "";
                reader.Report(path, key, $"unknown key {ManifestReader.Show(key.Value)}{where}{hint}");
            }
            else if (!seen.Add(key.Value))
            {
                reader.Report(path, key, $"key {ManifestReader.Show(key.Value)} appears twice{where}");
            }
            else if (value is not ManifestScalar { IsNull: true })
            {
                _values[key.Value] = value;
            }
        }
    }

    /// <summary>The key path of this mapping; empty at the top level.</summary>
    public string Path { get; }

    public ManifestReader Reader => _reader;

    public string PathOf(string key) => Path.Length == 0 ? key : $"{Path}.{key}";

    /// <summary>Reports a problem with the value under <paramref name="key"/> (or with the mapping when it is absent).</summary>
    public void Report(string key, string problem) =>
        _reader.Report(PathOf(key), _values.GetValueOrDefault(key) ?? _mapping, problem);

    public T Read<T>(string key, T fallback, ValueParser<T> parse, Func<string, string> problem, bool required = false) =>
        _reader.Read(_values.GetValueOrDefault(key), PathOf(key), _mapping, required, fallback, parse, problem);

    public string? Text(string key, bool required = false) =>
        Read<string?>(key, null, static (string text, out string? value) => (value = text) is not null, _ => "", required);

    public bool Flag(string key) =>
        Read(key, false, TryParseBool, raw => $"{ManifestReader.Show(raw)} is not true or false");

    /// <summary>Reads one of a fixed set of names, e.g. <c>per_app</c>, into its enum member.</summary>
    public T Choice<T>(string key, T fallback, IReadOnlyList<(string Name, T Value)> choices, bool required = false)
        where T : struct, Enum =>
        Read(
            key,
            fallback,
            (string text, out T value) =>
            {
                foreach (var choice in choices)
                {
                    if (choice.Name == text)
                    {
                        value = choice.Value;
                        return true;
                    }
                }

                value = fallback;
                return false;
            },
            raw => $"{ManifestReader.Show(raw)} is not one of {string.Join(", ", choices.Select(c => c.Name))}",
            required);

    /// <summary>Opens the mapping under <paramref name="key"/>; null when it is absent (reported when required) or not a mapping.</summary>
    public ManifestSection? Section(string key, IReadOnlyList<string> keys, bool required = false)
    {
        if (_values.GetValueOrDefault(key) is { } node)
        {
            return _reader.Section(node, PathOf(key), keys);
        }

        if (required)
        {
            Report(key, "required");
        }

        return null;
    }

    /// <summary>The items of the list under <paramref name="key"/>, each with its path (<c>key[0]</c>); empty when
    /// the list is absent (reported when required) or not a list.</summary>
    /// <param name="key">The list's key.</param>
    /// <param name="required">Report an absent list.</param>
    /// <param name="emptyProblem">Reported for an empty list; null when an empty list is fine.</param>
    public IReadOnlyList<(ManifestNode Node, string Path)> List(string key, bool required = false, string? emptyProblem = null)
    {
        switch (_values.GetValueOrDefault(key))
        {
            case ManifestSequence { Items.Count: 0 } when emptyProblem is not null:
                Report(key, emptyProblem);
                return [];
            case ManifestSequence sequence:
                return [.. sequence.Items.Select((item, i) => (item, $"{PathOf(key)}[{i}]"))];
            case null:
                if (required)
                {
                    Report(key, "required");
                }

                return [];
            case var other:
                Report(key, $"expected a list, {other.Description}");
                return [];
        }
    }

    // YAML 1.2's core schema: yes/no/on/off are strings there, and reading them as booleans surprises people.
    private static bool TryParseBool(string text, out bool value)
    {
        value = text is "true" or "True" or "TRUE";
        return value || text is "false" or "False" or "FALSE";
    }
}
