using System.Text;
using Famiglia.Xmpp.Sasl;

namespace Famiglia.Xmpp.Tests.Sasl;

public class ScramClientTests
{
    [Fact]
    public void Sha1_matches_the_RFC_5802_example()
    {
        var scram = new ScramClient("SCRAM-SHA-1", "user", "pencil", "fyko+d2lbbFgONRv9qkxdawL");
        Assert.Equal("n,,n=user,r=fyko+d2lbbFgONRv9qkxdawL", Encoding.UTF8.GetString(scram.ClientFirst()));

        var final = scram.ClientFinal(Encoding.UTF8.GetBytes("r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096"));
        Assert.Equal("c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=", Encoding.UTF8.GetString(final));
        Assert.True(scram.VerifyServerFinal(Encoding.UTF8.GetBytes("v=rmF9pqV8S7suAoZWja4dJRkFsKQ=")));
        Assert.False(scram.VerifyServerFinal(Encoding.UTF8.GetBytes("v=AAAAAAAAAAAAAAAAAAAAAAAAAAA=")));
    }

    [Fact]
    public void Sha256_matches_the_RFC_7677_example()
    {
        var scram = new ScramClient("SCRAM-SHA-256", "user", "pencil", "rOprNGfwEbeRWgbNEkqO");
        var final = scram.ClientFinal(Encoding.UTF8.GetBytes("r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096"));
        Assert.Equal("c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=", Encoding.UTF8.GetString(final));
        Assert.True(scram.VerifyServerFinal(Encoding.UTF8.GetBytes("v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=")));
    }

    [Fact]
    public void A_server_nonce_that_does_not_extend_ours_is_refused()
    {
        var scram = new ScramClient("SCRAM-SHA-256", "user", "pencil", "abc");
        Assert.Throws<XmppAuthenticationException>(() => scram.ClientFinal(Encoding.UTF8.GetBytes("r=xyz,s=QSXCR+Q6sek8bf92,i=4096")));
    }

    [Fact]
    public void Commas_and_equals_in_the_username_are_escaped()
    {
        var scram = new ScramClient("SCRAM-SHA-1", "a,b=c", "p", "n");
        Assert.Equal("n,,n=a=2Cb=3Dc,r=n", Encoding.UTF8.GetString(scram.ClientFirst()));
    }
}
