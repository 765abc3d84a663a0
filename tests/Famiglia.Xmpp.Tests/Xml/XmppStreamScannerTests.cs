using System.Text;
using Famiglia.Xmpp.Xml;

namespace Famiglia.Xmpp.Tests.Xml;

public class XmppStreamScannerTests
{
    private const string Header = "<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' id='abc' from='dev1.localhost' version='1.0'>";

    [Fact]
    public void Frames_are_the_same_whatever_the_chunk_boundaries()
    {
        var body = "héllo wörld 👋 مرحبا <&>";
        var xml = Header
            + "<stream:features><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>SCRAM-SHA-256</mechanism></mechanisms></stream:features>"
            + $"<message to='a@b' type='chat'><body>{System.Security.SecurityElement.Escape(body)}</body><x a='/&gt;' b=\"'>\"/></message>"
            + " \n<iq type='result' id='1'/>"
            + "<message><body><![CDATA[<not a tag> ]] ]>]]></body></message>"
            + "</stream:stream>";
        var bytes = Encoding.UTF8.GetBytes(xml);

        var expected = Scan(bytes, bytes.Length);
        foreach (var chunk in new[] { 1, 2, 3, 7, 64 })
        {
            var frames = Scan(bytes, chunk);
            Assert.Equal(expected.Select(Describe), frames.Select(Describe));
        }

        Assert.Equal(6, expected.Count);
        Assert.Equal(XmppFrameKind.StreamOpen, expected[0].Kind);
        Assert.Equal("abc", expected[0].Element!.Attribute("id")!.Value);
        Assert.Equal(Ns.Stream + "features", expected[1].Element!.Name);
        Assert.Equal(body, expected[2].Element!.Element(Ns.Client + "body")!.Value);
        Assert.Equal("'>", expected[2].Element!.Element(Ns.Client + "x")!.Attribute("b")!.Value);
        Assert.Equal(Ns.Client + "iq", expected[3].Element!.Name);
        Assert.Equal("<not a tag> ]] ]>", expected[4].Element!.Element(Ns.Client + "body")!.Value);
        Assert.Equal(XmppFrameKind.StreamClose, expected[5].Kind);
    }

    [Fact]
    public void A_partial_stanza_yields_nothing_until_it_completes()
    {
        var scanner = new XmppStreamScanner(1024 * 1024);
        var frames = new List<XmppFrame>();
        scanner.Feed(Encoding.UTF8.GetBytes(Header + "<message><body>hal"), frames);
        Assert.Single(frames);

        scanner.Feed(Encoding.UTF8.GetBytes("f</body></message>"), frames);
        Assert.Equal(2, frames.Count);
        Assert.Equal("half", frames[1].Element!.Value);
    }

    [Fact]
    public void Reset_starts_a_new_stream()
    {
        var scanner = new XmppStreamScanner(1024);
        var frames = new List<XmppFrame>();
        scanner.Feed(Encoding.UTF8.GetBytes(Header + "<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>"), frames);
        scanner.Reset();
        scanner.Feed(Encoding.UTF8.GetBytes(Header), frames);
        Assert.Equal([XmppFrameKind.StreamOpen, XmppFrameKind.Element, XmppFrameKind.StreamOpen], frames.Select(f => f.Kind));
    }

    [Theory]
    [InlineData("garbage")]
    [InlineData("<!-- comment -->")]
    [InlineData("<!DOCTYPE x>")]
    [InlineData("<message><body>a</bodx></message>")]
    [InlineData("<message a='1' a='2'/>")]
    [InlineData("<message><body>&unknown;</body></message>")]
    public void Malformed_input_fails_with_a_protocol_error(string afterHeader)
    {
        var scanner = new XmppStreamScanner(1024);
        Assert.Throws<XmppProtocolException>(() => scanner.Feed(Encoding.UTF8.GetBytes(Header + afterHeader), []));
    }

    [Fact]
    public void A_stanza_over_the_limit_fails_before_it_is_buffered_whole()
    {
        var scanner = new XmppStreamScanner(100);
        scanner.Feed(Encoding.UTF8.GetBytes(Header), []);
        var ex = Assert.Throws<XmppProtocolException>(() => scanner.Feed(Encoding.UTF8.GetBytes("<message><body>" + new string('x', 200)), []));
        Assert.Contains("larger than 100 bytes", ex.Message, StringComparison.Ordinal);
    }

    private static List<XmppFrame> Scan(byte[] bytes, int chunk)
    {
        var scanner = new XmppStreamScanner(1024 * 1024);
        var frames = new List<XmppFrame>();
        for (var i = 0; i < bytes.Length; i += chunk)
        {
            scanner.Feed(bytes.AsSpan(i, Math.Min(chunk, bytes.Length - i)), frames);
        }

        return frames;
    }

    private static string Describe(XmppFrame frame) => $"{frame.Kind}:{frame.Element}";
}
