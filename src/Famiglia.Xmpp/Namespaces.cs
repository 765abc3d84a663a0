using System.Xml.Linq;

namespace Famiglia.Xmpp;

/// <summary>XML namespaces used by the client.</summary>
internal static class Ns
{
    public static readonly XNamespace Client = "jabber:client";
    public static readonly XNamespace Stream = "http://etherx.jabber.org/streams";
    public static readonly XNamespace Framing = "urn:ietf:params:xml:ns:xmpp-framing";
    public static readonly XNamespace Tls = "urn:ietf:params:xml:ns:xmpp-tls";
    public static readonly XNamespace Sasl = "urn:ietf:params:xml:ns:xmpp-sasl";
    public static readonly XNamespace Bind = "urn:ietf:params:xml:ns:xmpp-bind";
    public static readonly XNamespace Session = "urn:ietf:params:xml:ns:xmpp-session";
    public static readonly XNamespace Stanzas = "urn:ietf:params:xml:ns:xmpp-stanzas";
    public static readonly XNamespace Streams = "urn:ietf:params:xml:ns:xmpp-streams";
    public static readonly XNamespace Sm = "urn:xmpp:sm:3";
    public static readonly XNamespace Ping = "urn:xmpp:ping";
    public static readonly XNamespace Sid = "urn:xmpp:sid:0";
    public static readonly XNamespace Muc = "http://jabber.org/protocol/muc";
    public static readonly XNamespace MucUser = "http://jabber.org/protocol/muc#user";
    public static readonly XNamespace Mam = "urn:xmpp:mam:2";
    public static readonly XNamespace Rsm = "http://jabber.org/protocol/rsm";
    public static readonly XNamespace DataForms = "jabber:x:data";
    public static readonly XNamespace Forward = "urn:xmpp:forward:0";
    public static readonly XNamespace Delay = "urn:xmpp:delay";
}
