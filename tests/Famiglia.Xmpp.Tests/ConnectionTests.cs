using System.Text;
using Microsoft.Extensions.Logging;
using Famiglia.TestKit;
using Xunit.Abstractions;

namespace Famiglia.Xmpp.Tests;

public class ConnectionTests(EjabberdFixture ejabberd, ITestOutputHelper output) : XmppTestBase(output), IClassFixture<EjabberdFixture>
{
    [Fact]
    public async Task Tcp_with_starttls_authenticates_and_binds()
    {
        var client = await ConnectAsync(ejabberd, "tcpuser");

        Assert.Equal(XmppConnectionState.Connected, client.State);
        Assert.Equal(new Jid("tcpuser", ejabberd.Host), client.BoundJid!.Value.Bare);
        Assert.NotNull(client.BoundJid!.Value.Resource);
        Assert.Equal("SCRAM-SHA-256", client.AuthenticationMechanism);
    }

    [Fact]
    public async Task WebSocket_authenticates_and_binds()
    {
        var client = await ConnectAsync(ejabberd, "wsuser", webSocket: true);

        Assert.Equal(XmppConnectionState.Connected, client.State);
        Assert.Equal("wsuser", client.BoundJid!.Value.Local);
    }

    [Fact]
    public async Task Plaintext_tcp_works_on_loopback_when_tls_is_disabled()
    {
        var client = await ConnectAsync(ejabberd, "plainuser", configure: o => o with { Tls = new XmppTlsOptions { Mode = XmppTlsMode.Disabled } });

        Assert.Equal(XmppConnectionState.Connected, client.State);
    }

    [Fact]
    public async Task A_certificate_that_is_not_trusted_is_refused()
    {
        var options = await ejabberd.CreateAccountAsync("untrusting");
        await using var client = new XmppClient(options with { Tls = new XmppTlsOptions { Mode = XmppTlsMode.Required } }, Logs);

        // The fixture's self-signed certificate is not in the system store.
        var ex = await Assert.ThrowsAnyAsync<Exception>(() => client.ConnectAsync());
        Assert.IsType<System.Security.Authentication.AuthenticationException>(ex);
        Assert.Equal(XmppConnectionState.Disconnected, client.State);
    }

    [Fact]
    public async Task Accepting_any_certificate_is_an_explicit_choice_that_logs_a_warning()
    {
        var options = await ejabberd.CreateAccountAsync("anycert");
        var logs = new CapturingLoggerProvider();
        using var factory = LoggerFactory.Create(b => b.AddProvider(logs));
        await using var client = new XmppClient(options with { Tls = new XmppTlsOptions { AcceptAnyCertificate = true } }, factory);

        await client.ConnectAsync();

        Assert.Equal(XmppConnectionState.Connected, client.State);
        Assert.Contains(logs.Lines, l => l.StartsWith("Warning", StringComparison.Ordinal) && l.Contains("Accepting any TLS certificate", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_password_never_appears_in_logs_even_at_trace_level()
    {
        var options = await ejabberd.CreateAccountAsync("tracer");
        var logs = new CapturingLoggerProvider();
        using var factory = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(logs));
        await using var client = new XmppClient(options with { Tls = new XmppTlsOptions { Mode = XmppTlsMode.Disabled } }, factory);

        await client.ConnectAsync();
        await using var wrong = new XmppClient(options with { Password = "Wr0ng-Secret-Pw", Tls = new XmppTlsOptions { Mode = XmppTlsMode.Disabled } }, factory);
        await Assert.ThrowsAsync<XmppAuthenticationException>(() => wrong.ConnectAsync());

        Assert.Contains(logs.Lines, l => l.Contains("SEND <auth", StringComparison.Ordinal));
        Assert.DoesNotContain(logs.Lines, l => l.Contains(options.Password, StringComparison.Ordinal) || l.Contains("Wr0ng-Secret-Pw", StringComparison.Ordinal));
        var saslPayloads = logs.Lines.Where(l => l.Contains("SEND <auth", StringComparison.Ordinal) || l.Contains("SEND <response", StringComparison.Ordinal));
        Assert.All(saslPayloads, l => Assert.Contains("[redacted]", l, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_wrong_password_fails_once_with_a_clear_error_and_no_retry()
    {
        var options = await ejabberd.CreateAccountAsync("carol");
        await using var client = new XmppClient(options with { Password = "wrong-password" }, Logs);
        var states = new List<XmppConnectionState>();
        client.StateChanged += (_, change) => states.Add(change.To);

        var ex = await Assert.ThrowsAsync<XmppAuthenticationException>(() => client.ConnectAsync());

        Assert.Equal("not-authorized", ex.Condition);
        Assert.Contains("carol@dev1.localhost", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("wrong-password", ex.Message, StringComparison.Ordinal);
        Assert.Equal(1, client.ConnectionCount);
        Assert.Equal(XmppConnectionState.Disconnected, client.State);
    }

    [Fact]
    public async Task An_unknown_user_fails_with_not_authorized()
    {
        await using var client = new XmppClient(ejabberd.ClientOptions("nobody-here", "x"), Logs);

        var ex = await Assert.ThrowsAsync<XmppAuthenticationException>(() => client.ConnectAsync());
        Assert.Equal("not-authorized", ex.Condition);
    }

    [Fact]
    public async Task The_stream_is_addressed_to_the_domain_even_when_connecting_by_ip()
    {
        // TcpUri is 127.0.0.1; ejabberd refuses a stream to a host it does not serve (host-unknown).
        Assert.Equal("127.0.0.1", ejabberd.TcpUri.Host);
        var client = await ConnectAsync(ejabberd, "byip");
        Assert.Equal(ejabberd.Host, client.BoundJid!.Value.Domain);
    }

    [Fact]
    public async Task The_server_answers_our_ping_and_we_answer_its_iqs()
    {
        var alice = await ConnectAsync(ejabberd, "pinga");
        var bob = await ConnectAsync(ejabberd, "pingb");

        // alice pings bob: bob's client answers (XEP-0199).
        var ping = new IqStanza("get", bob.BoundJid, new System.Xml.Linq.XElement(Ns.Ping + "ping"));
        var result = await alice.SendIqAsync(ping);
        Assert.Equal("result", result.Type);

        // Something bob does not support gets service-unavailable, not silence.
        var version = new IqStanza("get", bob.BoundJid, new System.Xml.Linq.XElement(System.Xml.Linq.XName.Get("query", "jabber:iq:version")));
        var error = await Assert.ThrowsAsync<XmppStanzaException>(() => alice.SendIqAsync(version));
        Assert.Equal("service-unavailable", error.Error.Condition);
    }

    [Fact]
    public async Task Garbage_from_the_server_fails_the_connection_cleanly_and_it_reconnects()
    {
        await using var proxy = new TcpProxy("127.0.0.1", ejabberd.C2SPort);
        var options = await ejabberd.CreateAccountAsync("garbage");
        var client = Track(new XmppClient(options with { Service = new Uri($"xmpp://127.0.0.1:{proxy.Port}"), Tls = new XmppTlsOptions { Mode = XmppTlsMode.Disabled } }, Logs));
        var states = new Probe<XmppStateChange>();
        client.StateChanged += (_, change) => states.Add(change);
        await client.ConnectAsync();
        await states.NextMatchingAsync(s => s.To == XmppConnectionState.Connected);

        await proxy.InjectToClientsAsync(Encoding.UTF8.GetBytes("<<<this is not xml>>>"));

        var failed = await states.NextMatchingAsync(s => s.To == XmppConnectionState.Reconnecting);
        Assert.IsType<XmppProtocolException>(failed.Error);
        await states.NextMatchingAsync(s => s.To == XmppConnectionState.Connected);
        Assert.Equal(2, proxy.ConnectionsAccepted);

        // And the new connection works.
        var ping = new IqStanza("get", new Jid(null, ejabberd.Host), new System.Xml.Linq.XElement(Ns.Ping + "ping"));
        Assert.Equal("result", (await client.SendIqAsync(ping)).Type);
    }

    [Fact]
    public async Task Scram_sha1_works_against_a_server_that_stores_sha1()
    {
        await using var sha1 = await EjabberdFixture.StartNewAsync(scramHash: "sha");
        var client = await ConnectAsync(sha1, "shaone");

        Assert.Equal(XmppConnectionState.Connected, client.State);
        Assert.Equal("SCRAM-SHA-1", client.AuthenticationMechanism);
    }
}
