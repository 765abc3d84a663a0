namespace Famiglia.Xmpp.Tests;

public class LogRedactionTests
{
    [Theory]
    [InlineData("<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>AGFsaWNlAHNlY3JldA==</auth>", "AGFsaWNlAHNlY3JldA==")]
    [InlineData("<response xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>Yz1iaXdzLHI9</response>", "Yz1iaXdzLHI9")]
    [InlineData("<presence to='r@c/n'><x xmlns='http://jabber.org/protocol/muc'><password>hunter2</password></x></presence>", "hunter2")]
    public void Secrets_never_reach_a_trace_line(string xml, string secret)
    {
        var redacted = XmppLog.Redact(xml);
        Assert.DoesNotContain(secret, redacted, StringComparison.Ordinal);
        Assert.Contains("[redacted]", redacted, StringComparison.Ordinal);
    }

    [Fact]
    public void Ordinary_stanzas_are_left_alone()
    {
        const string xml = "<message to='a@b' type='groupchat'><body>hello</body></message>";
        Assert.Equal(xml, XmppLog.Redact(xml));
    }
}
