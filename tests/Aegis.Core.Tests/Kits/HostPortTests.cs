using Aegis.Core.Kits;

namespace Aegis.Core.Tests.Kits;

public sealed class HostPortTests
{
    [Theory]
    [InlineData("famiglia-web:3000", "famiglia-web", 3000)]
    [InlineData("ejabberd:5222", "ejabberd", 5222)]
    [InlineData("db.internal.example:1", "db.internal.example", 1)]
    [InlineData("famiglia_web:65535", "famiglia_web", 65535)]
    [InlineData("10.0.0.2:80", "10.0.0.2", 80)]
    public void Host_and_port_are_split_at_the_colon(string text, string host, int port)
    {
        Assert.True(HostPort.TryParse(text, out var parsed));
        Assert.Equal(new HostPort(host, port), parsed);
        Assert.Equal(text, parsed.ToString());
    }

    [Theory]
    [InlineData("ejabberd")]
    [InlineData("ejabberd:")]
    [InlineData(":5222")]
    [InlineData("ejabberd:0")]
    [InlineData("ejabberd:65536")]
    [InlineData("ejabberd:52a2")]
    [InlineData("-bad-:80")]
    [InlineData("two words:80")]
    [InlineData("http://ejabberd:80")]
    public void Anything_but_host_colon_port_is_rejected(string text) =>
        Assert.False(HostPort.TryParse(text, out _));
}
