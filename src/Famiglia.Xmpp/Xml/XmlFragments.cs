using System.Globalization;
using System.Text;
using System.Xml;
using System.Xml.Linq;

namespace Famiglia.Xmpp.Xml;

/// <summary>Parses a stream header with the framework's reader (stanzas: <see cref="StanzaParser"/>); serializes outgoing elements.</summary>
internal static class XmlFragments
{
    private const int MaxKeptSerializerChars = 64 * 1024;

    [ThreadStatic]
    private static Serializer? t_serializer;

    private static readonly XmlReaderSettings Settings = new()
    {
        DtdProcessing = DtdProcessing.Prohibit,
        XmlResolver = null,
        IgnoreComments = false,
        IgnoreProcessingInstructions = false,
        CheckCharacters = true,
        ConformanceLevel = ConformanceLevel.Document,
    };

    private static XmlParserContext Context(string? defaultNamespace)
    {
        var names = new NameTable();
        var manager = new XmlNamespaceManager(names);
        manager.AddNamespace("stream", Ns.Stream.NamespaceName);
        if (defaultNamespace is not null)
        {
            manager.AddNamespace(string.Empty, defaultNamespace);
        }

        return new XmlParserContext(names, manager, null, XmlSpace.None);
    }

    public static XElement Parse(string xml, string? defaultNamespace)
    {
        try
        {
            using var reader = XmlReader.Create(new StringReader(xml), Settings, Context(defaultNamespace));
            return XElement.Load(reader, LoadOptions.None);
        }
        catch (XmlException ex)
        {
            throw new XmppProtocolException($"Malformed XML from the server: {ex.Message}", ex);
        }
    }

    /// <summary>The same text as <c>element.ToString(SaveOptions.DisableFormatting)</c>, written by an XML writer kept
    /// per thread: a new writer allocates a 12 KB buffer, more than most stanzas it writes.</summary>
    public static string Serialize(XElement element)
    {
        var serializer = t_serializer ?? new Serializer();
        t_serializer = null; // ours until returned; a failed write leaves the writer in an error state and drops it
        element.WriteTo(serializer.Writer);
        serializer.Writer.Flush();
        var xml = serializer.Text.ToString();
        serializer.Text.Clear();
        if (serializer.Text.Capacity <= MaxKeptSerializerChars)
        {
            t_serializer = serializer;
        }

        return xml;
    }

    private sealed class Serializer
    {
        public Serializer()
        {
            // Fragment: one writer writes one top-level element after another.
            Writer = XmlWriter.Create(new StringWriter(Text, CultureInfo.InvariantCulture), new XmlWriterSettings
            {
                OmitXmlDeclaration = true,
                ConformanceLevel = ConformanceLevel.Fragment,
            });
        }

        public StringBuilder Text { get; } = new();

        public XmlWriter Writer { get; }
    }
}
