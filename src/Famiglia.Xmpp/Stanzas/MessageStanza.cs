using System.Xml.Linq;

namespace Famiglia.Xmpp;

/// <summary>A <c>&lt;message/&gt;</c> stanza.</summary>
public sealed class MessageStanza : Stanza
{
    /// <summary>Wraps an existing element.</summary>
    public MessageStanza(XElement element) : base(element)
    {
    }

    /// <summary>Creates a message with a body, an optional XEP-0201 thread, and a fresh id.</summary>
    public MessageStanza(Jid to, string type, string? body, string? thread = null)
        : base(new XElement(Ns.Client + "message", new XAttribute("to", to.ToString()), new XAttribute("type", type), new XAttribute("id", NewId())))
    {
        if (body is not null)
        {
            Element.Add(new XElement(Ns.Client + "body", body));
        }

        if (thread is not null)
        {
            Element.Add(new XElement(Ns.Client + "thread", thread));
        }
    }

    /// <summary>The body text, or null.</summary>
    public string? Body => Element.Element(Ns.Client + "body")?.Value;

    /// <summary>The XEP-0201 thread id, or null.</summary>
    public string? Thread => Element.Element(Ns.Client + "thread")?.Value;

    /// <summary>The room subject when the message sets one.</summary>
    public string? Subject => Element.Element(Ns.Client + "subject")?.Value;

    /// <summary>The XEP-0359 origin-id the sender attached.</summary>
    public string? OriginId
    {
        get => Element.Element(Ns.Sid + "origin-id")?.Attribute("id")?.Value;
        set
        {
            Element.Element(Ns.Sid + "origin-id")?.Remove();
            if (value is not null)
            {
                Element.Add(new XElement(Ns.Sid + "origin-id", new XAttribute("id", value)));
            }
        }
    }

    /// <summary>The XEP-0359 stanza-id assigned by <paramref name="by"/> (a room or the user's server).</summary>
    public string? StanzaIdBy(Jid by) => Element.Elements(Ns.Sid + "stanza-id")
        .FirstOrDefault(e => Jid.TryParse(e.Attribute("by")?.Value, out var b) && b == by.Bare)?.Attribute("id")?.Value;

    /// <summary>The XEP-0203 delay timestamp, when the message was delivered late.</summary>
    public DateTimeOffset? Delay => Element.Element(Ns.Delay + "delay")?.Attribute("stamp")?.Value is { } stamp
        && DateTimeOffset.TryParse(stamp, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var at) ? at : null;
}
