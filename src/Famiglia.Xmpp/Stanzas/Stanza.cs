using System.Xml.Linq;
using Famiglia.Xmpp.Xml;

namespace Famiglia.Xmpp;

/// <summary>A message, presence or iq stanza: a typed view over its XML element.</summary>
public abstract class Stanza
{
    private protected Stanza(XElement element) => Element = element;

    /// <summary>The stanza's XML, in the jabber:client namespace.</summary>
    public XElement Element { get; }

    /// <summary>The sender, when the stanza names one.</summary>
    public Jid? From
    {
        get => ParseJid(Element.Attribute("from")?.Value);
        set => Element.SetAttributeValue("from", value?.ToString());
    }

    /// <summary>The addressee, when the stanza names one.</summary>
    public Jid? To
    {
        get => ParseJid(Element.Attribute("to")?.Value);
        set => Element.SetAttributeValue("to", value?.ToString());
    }

    /// <summary>The stanza id.</summary>
    public string? Id
    {
        get => Element.Attribute("id")?.Value;
        set => Element.SetAttributeValue("id", value);
    }

    /// <summary>The raw <c>type</c> attribute.</summary>
    public string? Type
    {
        get => Element.Attribute("type")?.Value;
        set => Element.SetAttributeValue("type", value);
    }

    /// <summary>The error carried by a stanza of type <c>error</c>, or null.</summary>
    public StanzaError? Error => StanzaError.FromStanza(Element);

    /// <summary>Wraps a received element in its typed stanza, or returns null for a non-stanza element.</summary>
    public static Stanza? FromElement(XElement element) => element.Name.LocalName switch
    {
        _ when element.Name.Namespace != Ns.Client => null,
        "message" => new MessageStanza(element),
        "presence" => new PresenceStanza(element),
        "iq" => new IqStanza(element),
        _ => null,
    };

    /// <inheritdoc />
    public override string ToString() => XmlFragments.Serialize(Element);

    private protected static string NewId() => Guid.NewGuid().ToString("N")[..16];

    private static Jid? ParseJid(string? value) => Jid.TryParse(value, out var jid) ? jid : null;
}
