using System.Xml.Linq;
using Famiglia.Xmpp.Xml;

namespace Famiglia.Xmpp.Tests.Xml;

public class XmlFragmentsTests
{
    private static readonly XNamespace Client = "jabber:client";
    private static readonly XNamespace Muc = "http://jabber.org/protocol/muc";

    [Fact]
    public void Serialize_writes_what_XElement_ToString_writes_stanza_after_stanza()
    {
        XElement[] elements =
        [
            new(Client + "message", new XAttribute("to", "room@conference.dev1.localhost"), new XAttribute("type", "groupchat"),
                new XElement(Client + "body", "héllo <&> \"'\" 👋 مرحبا"),
                new XElement(XNamespace.Get("urn:xmpp:sid:0") + "origin-id", new XAttribute("id", "abc"))),
            new(Client + "presence", new XAttribute("to", "room@conference.dev1.localhost/nick"),
                new XElement(Muc + "x", new XElement(Muc + "history", new XAttribute("maxstanzas", "0")))),
            new(Client + "iq", new XAttribute("type", "get"), new XAttribute("id", "1"), new XElement(XNamespace.Get("urn:xmpp:ping") + "ping")),
            new(Client + "message", new XElement(Client + "body", new string('x', 10_000))),
            new(XNamespace.Get("urn:xmpp:sm:3") + "a", new XAttribute("h", "7")),
        ];

        foreach (var element in elements.Concat(elements))
        {
            Assert.Equal(element.ToString(SaveOptions.DisableFormatting), XmlFragments.Serialize(element));
        }
    }

    [Fact]
    public void Serialize_after_a_failed_write_writes_the_next_element_whole()
    {
        var invalid = new XElement(Client + "message", new XElement(Client + "body", "bell \u0007"));
        var valid = new XElement(Client + "message", new XElement(Client + "body", "fine"));

        Assert.ThrowsAny<ArgumentException>(() => XmlFragments.Serialize(invalid));
        Assert.Equal(valid.ToString(SaveOptions.DisableFormatting), XmlFragments.Serialize(valid));
    }
}
