using System.Xml.Linq;

namespace Famiglia.Xmpp;

/// <summary>A <c>&lt;presence/&gt;</c> stanza.</summary>
public sealed class PresenceStanza : Stanza
{
    /// <summary>Wraps an existing element.</summary>
    public PresenceStanza(XElement element) : base(element)
    {
    }

    /// <summary>Creates a presence, available unless <paramref name="type"/> says otherwise.</summary>
    public PresenceStanza(Jid? to = null, string? type = null)
        : base(new XElement(Ns.Client + "presence"))
    {
        To = to;
        Type = type;
    }

    /// <summary>True for <c>type='unavailable'</c>.</summary>
    public bool IsUnavailable => Type == "unavailable";

    /// <summary>The status text, or null.</summary>
    public string? Status => Element.Element(Ns.Client + "status")?.Value;
}
