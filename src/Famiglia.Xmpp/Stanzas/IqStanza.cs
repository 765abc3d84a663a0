using System.Xml.Linq;

namespace Famiglia.Xmpp;

/// <summary>An <c>&lt;iq/&gt;</c> stanza: get, set, result or error.</summary>
public sealed class IqStanza : Stanza
{
    /// <summary>Wraps an existing element.</summary>
    public IqStanza(XElement element) : base(element)
    {
    }

    /// <summary>Creates a get or set request with a fresh id and the given payload.</summary>
    public IqStanza(string type, Jid? to, XElement? payload)
        : base(new XElement(Ns.Client + "iq", new XAttribute("type", type), new XAttribute("id", NewId())))
    {
        To = to;
        if (payload is not null)
        {
            Element.Add(payload);
        }
    }

    /// <summary>The first child element: the request or result payload.</summary>
    public XElement? Payload => Element.Elements().FirstOrDefault(e => e.Name.LocalName != "error");

    /// <summary>True for get and set, which must be answered.</summary>
    public bool IsRequest => Type is "get" or "set";

    /// <summary>Builds the result for this request.</summary>
    public IqStanza CreateResult(XElement? payload = null)
    {
        var result = new IqStanza(new XElement(Ns.Client + "iq", new XAttribute("type", "result"), new XAttribute("id", Id ?? "")));
        result.To = From;
        if (payload is not null)
        {
            result.Element.Add(payload);
        }

        return result;
    }

    /// <summary>Builds an error answer for this request.</summary>
    public IqStanza CreateError(string type, string condition)
    {
        var error = new IqStanza(new XElement(Ns.Client + "iq", new XAttribute("type", "error"), new XAttribute("id", Id ?? "")));
        error.To = From;
        error.Element.Add(StanzaError.ToElement(type, condition));
        return error;
    }
}
