using System.Xml;
using System.Xml.Linq;

namespace Famiglia.Xmpp.Xml;

/// <summary>Parses one top-level element in the namespace context of an XMPP stream, safely.</summary>
internal static class XmlFragments
{
    private static readonly XmlReaderSettings Settings = new()
    {
        DtdProcessing = DtdProcessing.Prohibit,
        XmlResolver = null,
        IgnoreComments = false,
        IgnoreProcessingInstructions = false,
        CheckCharacters = true,
        ConformanceLevel = ConformanceLevel.Document,
    };

    private static readonly XmlReaderSettings FragmentSettings = new()
    {
        DtdProcessing = DtdProcessing.Prohibit,
        XmlResolver = null,
        CheckCharacters = true,
        ConformanceLevel = ConformanceLevel.Fragment,
    };

    /// <summary>Parses several complete top-level elements, back to back, with one reader.</summary>
    public static List<XElement> ParseMany(string xml, string defaultNamespace)
    {
        var result = new List<XElement>();
        try
        {
            using var reader = XmlReader.Create(new StringReader(xml), FragmentSettings, Context(defaultNamespace));
            reader.MoveToContent();
            while (!reader.EOF)
            {
                if (reader.NodeType == XmlNodeType.Element)
                {
                    result.Add((XElement)XNode.ReadFrom(reader));
                }
                else if (reader.NodeType is XmlNodeType.Whitespace or XmlNodeType.SignificantWhitespace)
                {
                    reader.Read();
                }
                else
                {
                    throw new XmppProtocolException($"Unexpected {reader.NodeType} between stanzas.");
                }
            }
        }
        catch (XmlException ex)
        {
            throw new XmppProtocolException($"Malformed XML from the server: {ex.Message}", ex);
        }

        return result;
    }

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
}
