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

    public static XElement Parse(string xml, string? defaultNamespace)
    {
        var names = new NameTable();
        var manager = new XmlNamespaceManager(names);
        manager.AddNamespace("stream", Ns.Stream.NamespaceName);
        if (defaultNamespace is not null)
        {
            manager.AddNamespace(string.Empty, defaultNamespace);
        }

        var context = new XmlParserContext(names, manager, null, XmlSpace.None);
        try
        {
            using var reader = XmlReader.Create(new StringReader(xml), Settings, context);
            return XElement.Load(reader, LoadOptions.None);
        }
        catch (XmlException ex)
        {
            throw new XmppProtocolException($"Malformed XML from the server: {ex.Message}", ex);
        }
    }
}
