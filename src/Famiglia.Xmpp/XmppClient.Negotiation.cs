using System.Text;
using System.Xml.Linq;
using Famiglia.Xmpp.Sasl;
using Famiglia.Xmpp.Transport;
using Famiglia.Xmpp.Xml;

namespace Famiglia.Xmpp;

public sealed partial class XmppClient
{
    private const string SmNs = "urn:xmpp:sm:3";

    /// <summary>Opens one connection and makes it a usable session: TLS, SASL, then resume or bind,
    /// then (for a new session) rejoin every room and catch up on what was missed.</summary>
    private async Task EstablishAsync(bool allowResume, CancellationToken cancellationToken)
    {
        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _lifetime.Token);
        attempt.CancelAfter(_options.ConnectTimeout);
        var token = attempt.Token;

        IXmppTransport transport = Endpoint.IsWebSocket
            ? new WebSocketTransport(Endpoint.Uri, _options.Tls, _options.MaxStanzaBytes, _logger)
            : new TcpTransport(Endpoint.Host, Endpoint.Port, _options.Tls, _options.MaxStanzaBytes, _logger);
        var session = new XmppSession(this, transport, _time, _logger);
        try
        {
            await transport.ConnectAsync(token);
            ConnectionCount++;
            var features = await OpenStreamAsync(session, token);
            features = await NegotiateTlsAsync(session, features, token);
            TryChangeState(XmppConnectionState.Connecting, XmppConnectionState.Authenticating, null);
            await AuthenticateAsync(session, features, token);
            features = await OpenStreamAsync(session, token);

            var resumedAt = allowResume ? await TryResumeAsync(session, features, token) : null;
            List<(string Xml, bool IsMessage)> resend;
            if (resumedAt is { } h)
            {
                lock (_sm)
                {
                    _sm.Acknowledge(h);
                    resend = _sm.TakeUnacked(messagesOnly: false).Select(x => (x, false)).ToList();
                }

                session.Jid = BoundJid ?? throw new InvalidOperationException("Resumed a stream that was never bound.");
            }
            else
            {
                lock (_sm)
                {
                    resend = _sm.TakeUnacked(messagesOnly: true).Select(x => (x, true)).ToList();
                    _sm.Disable();
                }

                session.Jid = await BindAsync(session, token);
                BoundJid = session.Jid;
                await EnableStreamManagementAsync(session, features, token);
            }

            var previous = Interlocked.Exchange(ref _session, session);
            if (previous is not null && previous != session)
            {
                previous.TryMarkFailed();
            }

            session.Start(_options.KeepAliveInterval, _options.PreferInlineSocketCompletions);
            XmppLog.Connected(_logger, _options.Service, session.Jid, Endpoint.IsWebSocket ? "websocket" : "tcp", transport.IsSecure);
            if (resumedAt is not null)
            {
                ResumeCount++;
                XmppLog.Resumed(_logger, resend.Count);
            }
            else
            {
                FailPendingIqs(new XmppException("The connection was lost before the answer arrived."));
                if (!_rooms.IsEmpty)
                {
                    XmppLog.FreshSession(_logger, _rooms.Count);
                    foreach (var room in _rooms.Values)
                    {
                        await room.RestoreAsync(session, token);
                    }
                }
            }

            foreach (var (xml, isMessage) in resend)
            {
                QueueRawOn(session, xml, isMessage);
            }

            session.Flush();
        }
        catch
        {
            session.TryMarkFailed();
            await session.DisposeAsync();
            throw;
        }
    }

    private async Task<XElement> OpenStreamAsync(XmppSession session, CancellationToken cancellationToken)
    {
        // The stream's 'to' is always the XMPP domain, whatever host or IP we connected to.
        await session.Transport.OpenStreamAsync(_options.Domain, cancellationToken);
        var open = await session.ReadNegotiationFrameAsync(cancellationToken);
        if (open.Kind != XmppFrameKind.StreamOpen)
        {
            throw new XmppProtocolException("The server did not open a stream.");
        }

        return await ExpectAsync(session, Ns.Stream + "features", cancellationToken);
    }

    private async Task<XElement> NegotiateTlsAsync(XmppSession session, XElement features, CancellationToken cancellationToken)
    {
        if (!session.Transport.SupportsStartTls)
        {
            if (_options.Tls.Mode == XmppTlsMode.Required && !session.Transport.IsSecure && !IsLoopback(Endpoint.Host))
            {
                throw new XmppTlsRequiredException($"TLS is required but {Endpoint.Uri} is not wss:// (plain WebSocket is only accepted on loopback).");
            }

            return features;
        }

        var offered = features.Element(Ns.Tls + "starttls") is not null;
        if (!offered || _options.Tls.Mode == XmppTlsMode.Disabled)
        {
            if (_options.Tls.Mode == XmppTlsMode.Required)
            {
                throw new XmppTlsRequiredException($"TLS is required but {Endpoint.Uri} does not offer STARTTLS.");
            }

            return features;
        }

        await session.WriteNegotiationAsync("<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>", cancellationToken);
        var answer = await ReadElementAsync(session, cancellationToken);
        if (answer.Name != Ns.Tls + "proceed")
        {
            throw new XmppTlsRequiredException($"The server refused STARTTLS (<{answer.Name.LocalName}>).");
        }

        await session.Transport.StartTlsAsync(_options.Domain, cancellationToken);
        return await OpenStreamAsync(session, cancellationToken);
    }

    private async Task AuthenticateAsync(XmppSession session, XElement features, CancellationToken cancellationToken)
    {
        var offered = features.Element(Ns.Sasl + "mechanisms")?.Elements(Ns.Sasl + "mechanism").Select(m => m.Value).ToHashSet() ?? [];
        var mechanism = new[] { "SCRAM-SHA-512", "SCRAM-SHA-256", "SCRAM-SHA-1" }.FirstOrDefault(offered.Contains);
        if (mechanism is not null)
        {
            var scram = new ScramClient(mechanism, _options.Username, _options.Password);
            await session.WriteNegotiationAsync(SaslAuth(mechanism, scram.ClientFirst()), cancellationToken);
            var challenge = await ReadSaslAsync(session, cancellationToken);
            if (challenge.Name.LocalName != "challenge")
            {
                throw new XmppProtocolException($"Expected a SCRAM challenge, got <{challenge.Name.LocalName}>.");
            }

            var final = scram.ClientFinal(Convert.FromBase64String(challenge.Value));
            await session.WriteNegotiationAsync($"<response xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>{Convert.ToBase64String(final)}</response>", cancellationToken);
            var outcome = await ReadSaslAsync(session, cancellationToken);
            if (outcome.Name.LocalName == "challenge")
            {
                // Some servers send the verifier as a last challenge before success.
                await session.WriteNegotiationAsync("<response xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>", cancellationToken);
                var verifier = outcome.Value;
                outcome = await ReadSaslAsync(session, cancellationToken);
                if (outcome.Value.Length == 0)
                {
                    outcome.Value = verifier;
                }
            }

            if (outcome.Name.LocalName != "success" || !scram.VerifyServerFinal(Convert.FromBase64String(outcome.Value)))
            {
                throw new XmppAuthenticationException("The server's SCRAM signature did not verify: it does not know our password.", "server-not-verified");
            }

            AuthenticationMechanism = mechanism;
            return;
        }

        if (offered.Contains("PLAIN"))
        {
            if (!session.Transport.IsSecure)
            {
                throw new XmppAuthenticationException("The server offers only PLAIN, which this client refuses without TLS.", "encryption-required");
            }

            var plain = Encoding.UTF8.GetBytes($"\0{_options.Username}\0{_options.Password}");
            await session.WriteNegotiationAsync(SaslAuth("PLAIN", plain), cancellationToken);
            var outcome = await ReadSaslAsync(session, cancellationToken);
            if (outcome.Name.LocalName != "success")
            {
                throw new XmppProtocolException($"Unexpected SASL answer <{outcome.Name.LocalName}>.");
            }

            AuthenticationMechanism = "PLAIN";
            return;
        }

        throw new XmppAuthenticationException($"No supported SASL mechanism; the server offers {string.Join(", ", offered)}.", "invalid-mechanism");
    }

    private async Task<XElement> ReadSaslAsync(XmppSession session, CancellationToken cancellationToken)
    {
        var element = await ReadElementAsync(session, cancellationToken);
        if (element.Name == Ns.Sasl + "failure")
        {
            var condition = element.Elements().FirstOrDefault(e => e.Name.LocalName != "text")?.Name.LocalName ?? "not-authorized";
            var text = element.Element(Ns.Sasl + "text")?.Value;
            throw new XmppAuthenticationException(
                $"Authentication as {_options.Username}@{_options.Domain} failed: {condition}{(text is null ? "" : $" ({text})")}.", condition);
        }

        if (element.Name.Namespace != Ns.Sasl)
        {
            throw new XmppProtocolException($"Unexpected <{element.Name.LocalName}> during authentication.");
        }

        return element;
    }

    private async Task<uint?> TryResumeAsync(XmppSession session, XElement features, CancellationToken cancellationToken)
    {
        string? resumeId;
        uint inbound;
        lock (_sm)
        {
            resumeId = _sm.ResumeId;
            inbound = _sm.Inbound;
        }

        if (resumeId is null || features.Element(Ns.Sm + "sm") is null)
        {
            return null;
        }

        await session.WriteNegotiationAsync($"<resume xmlns='{SmNs}' h='{inbound}' previd='{System.Security.SecurityElement.Escape(resumeId)}'/>", cancellationToken);
        var answer = await ReadElementAsync(session, cancellationToken);
        if (answer.Name == Ns.Sm + "resumed" && uint.TryParse(answer.Attribute("h")?.Value, out var h))
        {
            return h;
        }

        return null; // <failed/>: the server no longer has the session; bind a new one
    }

    private async Task<Jid> BindAsync(XmppSession session, CancellationToken cancellationToken)
    {
        var resource = _options.Resource ?? $"famiglia-{Guid.NewGuid().ToString("N")[..8]}";
        var iq = new IqStanza("set", null, new XElement(Ns.Bind + "bind", new XElement(Ns.Bind + "resource", resource)));
        await session.WriteNegotiationAsync(iq.ToString(), cancellationToken);
        var answer = new IqStanza(await ReadElementAsync(session, cancellationToken));
        if (answer.Type != "result" || answer.Id != iq.Id)
        {
            throw new XmppException($"Resource binding failed: {answer.Error?.ToString() ?? answer.ToString()}.");
        }

        var jidText = answer.Payload?.Element(Ns.Bind + "jid")?.Value;
        return Jid.TryParse(jidText, out var jid) ? jid : throw new XmppProtocolException($"The server bound an invalid JID '{jidText}'.");
    }

    private async Task EnableStreamManagementAsync(XmppSession session, XElement features, CancellationToken cancellationToken)
    {
        if (features.Element(Ns.Sm + "sm") is null)
        {
            return;
        }

        await session.WriteNegotiationAsync($"<enable xmlns='{SmNs}' resume='true'/>", cancellationToken);
        var answer = await ReadElementAsync(session, cancellationToken);
        if (answer.Name == Ns.Sm + "enabled")
        {
            var resumable = answer.Attribute("resume")?.Value is "true" or "1";
            lock (_sm)
            {
                _sm.OnEnabled(resumable ? answer.Attribute("id")?.Value : null);
            }
        }
    }

    private static async Task<XElement> ReadElementAsync(XmppSession session, CancellationToken cancellationToken)
    {
        var frame = await session.ReadNegotiationFrameAsync(cancellationToken);
        if (frame.Kind != XmppFrameKind.Element)
        {
            throw new IOException("The server closed the stream during negotiation.");
        }

        if (frame.Element!.Name == Ns.Stream + "error")
        {
            throw StreamError(frame.Element);
        }

        return frame.Element;
    }

    private static async Task<XElement> ExpectAsync(XmppSession session, XName name, CancellationToken cancellationToken)
    {
        var element = await ReadElementAsync(session, cancellationToken);
        return element.Name == name ? element : throw new XmppProtocolException($"Expected <{name.LocalName}>, got <{element.Name.LocalName}>.");
    }

    private static XmppStreamException StreamError(XElement error)
    {
        var condition = error.Elements().FirstOrDefault(e => e.Name.Namespace == Ns.Streams && e.Name.LocalName != "text")?.Name.LocalName ?? "undefined-condition";
        return new XmppStreamException(condition, error.Element(Ns.Streams + "text")?.Value);
    }

    private static string SaslAuth(string mechanism, byte[] initial) =>
        $"<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='{mechanism}'>{Convert.ToBase64String(initial)}</auth>";

    private static bool IsLoopback(string host) =>
        host is "localhost" || (System.Net.IPAddress.TryParse(host, out var ip) && System.Net.IPAddress.IsLoopback(ip));
}
