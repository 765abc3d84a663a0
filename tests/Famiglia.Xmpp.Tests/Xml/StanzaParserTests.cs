using System.Globalization;
using System.Text;
using System.Xml;
using System.Xml.Linq;
using Famiglia.Xmpp.Xml;

namespace Famiglia.Xmpp.Tests.Xml;

/// <summary>Our stanza parser against the framework's XML reader (what the client used before): the same tree for
/// well-formed input, a refusal for what the reader refuses.</summary>
public class StanzaParserTests
{
    private const string DefaultNs = "jabber:client";

    private static readonly XmlReaderSettings ReferenceSettings = new()
    {
        DtdProcessing = DtdProcessing.Prohibit,
        XmlResolver = null,
        CheckCharacters = true,
        ConformanceLevel = ConformanceLevel.Fragment,
    };

    public static TheoryData<string> WellFormed => new()
    {
        "<message/>",
        "<message></message>",
        "<message type='groupchat' to=\"a@b/c\"><body>hi</body></message>",
        "<iq type='get' id='1'><ping xmlns='urn:xmpp:ping'/></iq>",
        "<stream:features><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>PLAIN</mechanism></mechanisms></stream:features>",
        "<message><body>a &lt; b &amp;&amp; c &gt; d &quot;q&quot; &apos;s&apos;</body></message>",
        "<message><body>&#65;&#x42;&#x1F600;&#128512; &#xD;&#xA;&#x9;</body></message>",
        "<message><body>line1\r\nline2\rline3\nline4\tend</body></message>",
        "<x a='one\r\ntwo\tthree\nfour\rfive' b='&#xA;&#x9;&#xD;'/>",
        "<message><body><![CDATA[<not a tag> & ]] ]>\r\n]]></body></message>",
        "<message><body>before<![CDATA[cdata]]>after&amp;more</body></message>",
        "<message><body>héllo wörld 👋 مرحبا שלום 你好</body></message>",
        "<m xmlns:p='urn:p'><p:x p:a='1' a='2'/></m>",
        "<m xmlns:p='urn:p' xmlns:q='urn:p'><x p:a='1' q:b='2'/></m>",
        "<m><inner xmlns='urn:other'><deeper/></inner><back/></m>",
        "<m><inner xmlns=''><deeper/></inner></m>",
        "<m xml:lang='en' xmlns:xml='http://www.w3.org/XML/1998/namespace'/>",
        "<m  a = '1'\n\tb\r\n=\"2\"  ></m >",
        "<m><a/><a></a><a> </a><a>\n</a></m>",
        "<m>   </m>",
        "<ünïcödé attr-é='1'/>",
        "<m a='&gt;/&lt;' b=\"'>\"/>",
        "<m>]</m>",
        "<m>]]</m>",
        "<m>&#x10FFFF;&#xE000;&#xFFFD;</m>",
        "<m>\u0085\u2028 c1 controls and separators</m>",
        "<m a.b-c_d='1' _e='2'><x.y/></m>",
        "<stream:error><conflict xmlns='urn:ietf:params:xml:ns:xmpp-streams'/></stream:error>",
        "<p:m xmlns:p='urn:p'><p:n/></p:m>",
        "<m xmlns:p='urn:p'><p:n xmlns:p='urn:q'><p:o/></p:n><p:o/></m>",
    };

    public static TheoryData<string> Malformed => new()
    {
        "",
        "text",
        "<m>",
        "<m></n>",
        "<m><n></m></n>",
        "<m a='1' a='2'/>",
        "<m xmlns:p='urn:p' xmlns:q='urn:p' p:a='1' q:a='2'/>",
        "<m a='1'b='2'/>",
        "<m a=1/>",
        "<m a/>",
        "<m a='<'/>",
        "<m>&unknown;</m>",
        "<m>&amp</m>",
        "<m>a & b</m>",
        "<m>&#0;</m>",
        "<m>&#x1;</m>",
        "<m>&#xD800;</m>",
        "<m>&#xFFFE;</m>",
        "<m>&#x110000;</m>",
        "<m>&#;</m>",
        "<m>&#x;</m>",
        "<m>&#12a;</m>",
        "<m>\u0001</m>",
        "<m a='\u0002'/>",
        "<m>\uFFFE</m>",
        "<m>]]></m>",
        "<m><!DOCTYPE m></m>",
        "<1m/>",
        "<-m/>",
        "<m 1a='x'/>",
        "<:m/>",
        "<m:/>",
        "<a:b:c xmlns:a='urn:a'/>",
        "<p:m/>",
        "<m p:a='1'/>",
        "<m xmlns:p=''/>",
        "<m xmlns:xmlns='urn:x'/>",
        "<m xmlns:xml='urn:x'/>",
        "<m xmlns:p='http://www.w3.org/XML/1998/namespace'/>",
        "<m xmlns='http://www.w3.org/2000/xmlns/'/>",
        "<m/><n/>",
        "<m/>text",
        "<m></m>junk",
        "<m/ >",
        "<m a='1' / >",
        "<m><![CDATA[x]]</m>",
        "<m><![CDAT[x]]></m>",
        "<m>\u0000</m>",
    };

    [Theory]
    [MemberData(nameof(WellFormed))]
    public void Builds_the_same_tree_as_the_framework_reader(string xml)
    {
        var expected = Reference(xml);
        var actual = new StanzaParser().Parse(Encoding.UTF8.GetBytes(xml), DefaultNs);
        Assert.Equal(Dump(expected), Dump(actual));
        Assert.Equal(expected.ToString(SaveOptions.DisableFormatting), actual.ToString(SaveOptions.DisableFormatting));
    }

    [Theory]
    [MemberData(nameof(Malformed))]
    public void Refuses_what_the_framework_reader_refuses(string xml)
    {
        Assert.ThrowsAny<Exception>(() => Reference(xml)); // XmlException, or for no element at all a cast or state error
        var ex = Assert.Throws<XmppProtocolException>(() => new StanzaParser().Parse(Encoding.UTF8.GetBytes(xml), DefaultNs));
        Assert.StartsWith("Malformed XML from the server: ", ex.Message, StringComparison.Ordinal);
    }

    /// <summary>Well-formed XML the framework's reader takes, refused here: RFC 6120 §11.1 forbids comments and processing
    /// instructions in a stream, and Namespaces in XML §3 the prefix xmlns on an element.</summary>
    [Theory]
    [InlineData("<m><!-- comment --></m>")]
    [InlineData("<m><?pi x?></m>")]
    [InlineData("<xmlns:m/>")]
    public void Refuses_what_XMPP_or_namespaces_forbid(string xml)
    {
        Assert.Throws<XmppProtocolException>(() => new StanzaParser().Parse(Encoding.UTF8.GetBytes(xml), DefaultNs));
    }

    [Theory]
    [InlineData(new byte[] { 0xC3, 0x28 })]             // a lead byte followed by ASCII
    [InlineData(new byte[] { 0xED, 0xA0, 0x80 })]       // an encoded surrogate
    [InlineData(new byte[] { 0xC0, 0xAF })]             // an overlong '/'
    [InlineData(new byte[] { 0xF4, 0x90, 0x80, 0x80 })] // above U+10FFFF
    [InlineData(new byte[] { 0xE2, 0x82 })]             // a truncated sequence
    [InlineData(new byte[] { 0xEF, 0xBF, 0xBF })]       // U+FFFF
    public void Refuses_bytes_that_are_not_UTF8_or_not_XML_characters(byte[] inside)
    {
        foreach (var (before, after) in new[] { ("<m>", "</m>"), ("<m a='", "'/>") })
        {
            var xml = Encoding.UTF8.GetBytes(before).Concat(inside).Concat(Encoding.UTF8.GetBytes(after)).ToArray();
            Assert.Throws<XmppProtocolException>(() => new StanzaParser().Parse(xml, DefaultNs));
        }
    }

    [Fact]
    public void Generated_stanzas_parse_to_the_same_tree_as_with_the_framework_reader()
    {
        var random = new Random(20261126);
        var parser = new StanzaParser(); // one instance for all: its name cache must not carry one stanza into another
        for (var i = 0; i < 2000; i++)
        {
            var xml = Generate(random);
            XElement expected;
            try
            {
                expected = Reference(xml);
            }
            catch (XmlException ex)
            {
                Assert.Fail($"The generator wrote malformed XML ({ex.Message}): {xml}");
                throw;
            }

            var actual = parser.Parse(Encoding.UTF8.GetBytes(xml), DefaultNs);
            Assert.True(Dump(expected) == Dump(actual), $"Trees differ for {xml}\nexpected {Dump(expected)}\nactual   {Dump(actual)}");
        }
    }

    [Fact]
    public void A_deeply_nested_element_does_not_overflow_the_stack()
    {
        const int depth = 100_000;
        var xml = string.Concat(Enumerable.Repeat("<a>", depth)) + string.Concat(Enumerable.Repeat("</a>", depth));
        var element = new StanzaParser().Parse(Encoding.UTF8.GetBytes(xml), DefaultNs);
        Assert.Equal(depth - 1, element.Descendants().Count());
    }

    private static XElement Reference(string xml)
    {
        var names = new NameTable();
        var manager = new XmlNamespaceManager(names);
        manager.AddNamespace("stream", Ns.Stream.NamespaceName);
        manager.AddNamespace(string.Empty, DefaultNs);
        using var reader = XmlReader.Create(new StringReader(xml), ReferenceSettings, new XmlParserContext(names, manager, null, XmlSpace.None));
        reader.MoveToContent();
        var element = (XElement)XNode.ReadFrom(reader);
        reader.MoveToContent();
        if (!reader.EOF)
        {
            throw new XmlException("More than one element.");
        }

        return element;
    }

    /// <summary>Every node with its kind, name and value, so that a text node split or merged differently shows.</summary>
    private static string Dump(XElement element)
    {
        var text = new StringBuilder();
        Write(text, element);
        return text.ToString();
    }

    private static void Write(StringBuilder text, XNode node)
    {
        switch (node)
        {
            case XElement e:
                text.Append('<').Append(e.Name.ToString());
                foreach (var a in e.Attributes())
                {
                    text.Append(' ').Append(a.Name.ToString()).Append("=[").Append(a.Value).Append(']');
                }

                text.Append(e.IsEmpty ? " empty>" : ">");
                foreach (var child in e.Nodes())
                {
                    Write(text, child);
                }

                text.Append("</>");
                break;
            case XCData c:
                text.Append("cdata[").Append(c.Value).Append(']');
                break;
            case XText t:
                text.Append("text[").Append(t.Value).Append(']');
                break;
            default:
                text.Append(node.NodeType.ToString());
                break;
        }
    }

    private static string Generate(Random random)
    {
        var xml = new StringBuilder();
        var prefixes = new List<string>();
        Element(0);
        return xml.ToString();

        void Element(int depth)
        {
            var scoped = prefixes.Count;
            var names = new[] { "message", "body", "x", "item", "a-b", "c.d", "e_f", "é", "thread" };
            var prefix = prefixes.Count > 0 && random.Next(4) == 0 ? prefixes[random.Next(prefixes.Count)] + ":" : "";
            var declarations = new StringBuilder();
            if (random.Next(4) == 0)
            {
                declarations.Append(Space()).Append("xmlns=").Append(Quoted(random.Next(5) == 0 ? "" : $"urn:x:{random.Next(3)}"));
            }

            if (random.Next(4) == 0)
            {
                var p = $"p{random.Next(3)}";
                if (!prefixes.Contains(p))
                {
                    prefixes.Add(p);
                }

                declarations.Append(Space()).Append($"xmlns:{p}=").Append(Quoted($"urn:p:{random.Next(3)}"));
            }

            if (prefix.Length == 0 && prefixes.Count > scoped && random.Next(2) == 0)
            {
                prefix = prefixes[^1] + ":";
            }

            var name = prefix + names[random.Next(names.Length)];
            xml.Append('<').Append(name).Append(declarations);
            var used = new HashSet<string>();
            for (var i = random.Next(4); i > 0; i--)
            {
                var attribute = random.Next(6) switch
                {
                    0 when prefixes.Count > 0 => $"{prefixes[random.Next(prefixes.Count)]}:a{i}",
                    1 => "xml:lang",
                    _ => $"a{random.Next(5)}",
                };
                if (used.Add(attribute) && (!attribute.Contains(':') || attribute.StartsWith("xml:", StringComparison.Ordinal) || UniqueExpanded(attribute, used)))
                {
                    xml.Append(Space()).Append(attribute).Append(random.Next(3) == 0 ? " = " : "=").Append(Quoted(Text(attribute: true)));
                }
            }

            if (depth > 4 || random.Next(4) == 0)
            {
                xml.Append(random.Next(2) == 0 ? "/>" : " />");
            }
            else
            {
                xml.Append('>');
                for (var i = random.Next(5); i > 0; i--)
                {
                    switch (random.Next(4))
                    {
                        case 0:
                            Element(depth + 1);
                            break;
                        case 1:
                            xml.Append("<![CDATA[").Append(Text(attribute: false).Replace(']', ')')).Append("]]>");
                            break;
                        default:
                            xml.Append(Text(attribute: false));
                            break;
                    }
                }

                xml.Append("</").Append(name).Append(random.Next(5) == 0 ? " >" : ">");
            }

            prefixes.RemoveRange(scoped, prefixes.Count - scoped);
        }

        // Two prefixes may be bound to one namespace: p0:a1 and p1:a1 would then be one attribute twice.
        bool UniqueExpanded(string attribute, HashSet<string> used)
        {
            var local = attribute[(attribute.IndexOf(':', StringComparison.Ordinal) + 1)..];
            return used.Count(u => u.EndsWith(":" + local, StringComparison.Ordinal) && !u.StartsWith("xml:", StringComparison.Ordinal)) == 1;
        }

        string Space() => random.Next(4) switch { 0 => "\n", 1 => "\t ", 2 => "\r\n  ", _ => " " };

        string Quoted(string value) => random.Next(2) == 0 ? $"'{value.Replace("'", "&apos;", StringComparison.Ordinal)}'" : $"\"{value.Replace("\"", "&quot;", StringComparison.Ordinal)}\"";

        string Text(bool attribute)
        {
            var pieces = new[] { "plain", " ", "\r\n", "\r", "\n", "\t", "&amp;", "&lt;", "&gt;", "&quot;", "&apos;", "&#x1F600;", "&#10;", "&#xD;", "&#9;", "é", "👋", "مرحبا", "]", ">", "'", "\"", "\u0085", "&#x10000;" };
            var text = new StringBuilder();
            for (var i = random.Next(6); i > 0; i--)
            {
                text.Append(pieces[random.Next(pieces.Length)]);
            }

            // In content, "]]>" is not allowed: a piece ending in "]" never meets the next one's ">".
            return attribute ? text.ToString() : text.Replace("]]>", "]]&gt;").Append('.').ToString();
        }
    }
}
