using YamlDotNet.Core;

namespace Aegis.Core.Kits;

/// <summary>A node of a loaded manifest. Our own tree rather than YamlDotNet's representation model, so that
/// duplicate keys reach the schema reader (which names their path) instead of failing the load.</summary>
internal abstract class ManifestNode(Mark start)
{
    public int Line { get; } = (int)Math.Min(start.Line, int.MaxValue);

    public int Column { get; } = (int)Math.Min(start.Column, int.MaxValue);

    /// <summary>How the node reads in an error, e.g. <c>found a list</c>.</summary>
    public abstract string Description { get; }
}

internal sealed class ManifestScalar(Mark start, string value, ScalarStyle style) : ManifestNode(start)
{
    public string Value { get; } = value;

    /// <summary>A plain <c>~</c>, <c>null</c> or nothing at all: YAML's null, which counts as an absent key.</summary>
    public bool IsNull { get; } = style is ScalarStyle.Plain or ScalarStyle.Any && value is "" or "~" or "null" or "Null" or "NULL";

    public override string Description => IsNull ? "found nothing" : $"found {ManifestReader.Show(Value)}";
}

internal sealed class ManifestMapping(Mark start, IReadOnlyList<KeyValuePair<ManifestScalar, ManifestNode>> entries) : ManifestNode(start)
{
    public IReadOnlyList<KeyValuePair<ManifestScalar, ManifestNode>> Entries { get; } = entries;

    public override string Description => "found a mapping";
}

internal sealed class ManifestSequence(Mark start, IReadOnlyList<ManifestNode> items) : ManifestNode(start)
{
    public IReadOnlyList<ManifestNode> Items { get; } = items;

    public override string Description => "found a list";
}
