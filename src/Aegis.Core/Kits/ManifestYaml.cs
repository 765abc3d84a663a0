using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Aegis.Core.Kits;

/// <summary>Loads YAML text into <see cref="ManifestNode"/>s from YamlDotNet's parser events.</summary>
internal static class ManifestYaml
{
    // The reader recurses once per level; a hostile manifest of nested [[[[ must not exhaust the stack.
    private const int MaxDepth = 64;

    /// <summary>Loads the one document of <paramref name="yaml"/>; null, with the problem reported, when the
    /// YAML is malformed, empty or holds several documents.</summary>
    public static ManifestNode? Load(string yaml, ManifestReader reader)
    {
        var parser = new Parser(new StringReader(yaml));
        var anchors = new Dictionary<string, ManifestNode>(StringComparer.Ordinal);
        var last = Mark.Empty;
        try
        {
            parser.Consume<StreamStart>();
            if (parser.Accept<StreamEnd>(out var end))
            {
                reader.Report("", end.Start, "the manifest is empty");
                return null;
            }

            parser.Consume<DocumentStart>();
            var root = ReadNode(parser, anchors, 0, ref last);
            parser.Consume<DocumentEnd>();
            if (parser.Accept<DocumentStart>(out var second))
            {
                reader.Report("", second.Start, "the manifest holds several YAML documents; it must be one");
                return null;
            }

            return root;
        }
        catch (YamlException e)
        {
            reader.Report("", e.Start, $"YAML syntax error: {e.Message}");
            return null;
        }
        catch (InvalidOperationException)
        {
            // YamlDotNet's parser throws this, with no position, on an unclosed flow collection.
            reader.Report("", last, "YAML syntax error: the document ends inside a [ ] or { } collection");
            return null;
        }
    }

    private static ManifestNode ReadNode(IParser parser, Dictionary<string, ManifestNode> anchors, int depth, ref Mark last)
    {
        last = parser.Current?.Start ?? last;
        if (depth > MaxDepth)
        {
            throw new YamlException(last, last, $"the document nests deeper than {MaxDepth} levels");
        }

        if (parser.TryConsume<AnchorAlias>(out var alias))
        {
            return anchors.TryGetValue(alias.Value.Value, out var target)
                ? target
                : throw new YamlException(alias.Start, alias.End, $"alias *{alias.Value.Value} has no anchor before it");
        }

        ManifestNode node;
        AnchorName anchor;
        if (parser.TryConsume<Scalar>(out var scalar))
        {
            node = new ManifestScalar(scalar.Start, scalar.Value, scalar.Style);
            anchor = scalar.Anchor;
        }
        else if (parser.TryConsume<SequenceStart>(out var sequenceStart))
        {
            var items = new List<ManifestNode>();
            while (!parser.TryConsume<SequenceEnd>(out _))
            {
                items.Add(ReadNode(parser, anchors, depth + 1, ref last));
            }

            node = new ManifestSequence(sequenceStart.Start, items);
            anchor = sequenceStart.Anchor;
        }
        else
        {
            var mappingStart = parser.Consume<MappingStart>();
            var entries = new List<KeyValuePair<ManifestScalar, ManifestNode>>();
            while (!parser.TryConsume<MappingEnd>(out _))
            {
                var keyStart = parser.Current?.Start ?? last;
                if (ReadNode(parser, anchors, depth + 1, ref last) is not ManifestScalar key)
                {
                    throw new YamlException(keyStart, keyStart, "a key must be a plain value, not a list or mapping");
                }

                entries.Add(new(key, ReadNode(parser, anchors, depth + 1, ref last)));
            }

            node = new ManifestMapping(mappingStart.Start, entries);
            anchor = mappingStart.Anchor;
        }

        if (!anchor.IsEmpty)
        {
            anchors[anchor.Value] = node;
        }

        return node;
    }
}
