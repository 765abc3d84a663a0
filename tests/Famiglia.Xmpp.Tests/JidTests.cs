namespace Famiglia.Xmpp.Tests;

public class JidTests
{
    [Theory]
    [InlineData("photos.feldmans@conference.dev1.localhost/@s:photo-agent@dev1.localhost", "photos.feldmans", "conference.dev1.localhost", "@s:photo-agent@dev1.localhost")]
    [InlineData("s-photo-agent@dev1.localhost", "s-photo-agent", "dev1.localhost", null)]
    [InlineData("dev1.localhost", null, "dev1.localhost", null)]
    [InlineData("a@DEV1.localhost/r/with/slashes", "a", "dev1.localhost", "r/with/slashes")]
    public void Parse_splits_the_parts(string text, string? local, string domain, string? resource)
    {
        var jid = Jid.Parse(text);
        Assert.Equal(local, jid.Local);
        Assert.Equal(domain, jid.Domain);
        Assert.Equal(resource, jid.Resource);
    }

    [Theory]
    [InlineData("")]
    [InlineData("@dev1.localhost")]
    [InlineData("a@")]
    [InlineData("a@b/")]
    [InlineData("a b@c")]
    public void Parse_rejects_malformed_jids_with_the_reason(string text)
    {
        var ex = Assert.Throws<FormatException>(() => Jid.Parse(text));
        Assert.Contains("is not a valid JID", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bare_drops_the_resource_and_round_trips()
    {
        var jid = Jid.Parse("room@conference.dev1.localhost/nick");
        Assert.Equal("room@conference.dev1.localhost", jid.Bare.ToString());
        Assert.Equal(jid, Jid.Parse(jid.ToString()));
    }
}
