using System.Buffers;
using System.Net.Http;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using Famiglia.Xmpp.Xml;
using Microsoft.Extensions.Logging;

namespace Famiglia.Xmpp.Transport;

/// <summary>RFC 7395: XMPP over WebSocket, one complete element per text message.</summary>
internal sealed class WebSocketTransport : IXmppTransport
{
    private const string FramingNs = "urn:ietf:params:xml:ns:xmpp-framing";
    private readonly Uri _uri;
    private readonly XmppTlsOptions _tls;
    private readonly ILogger _logger;
    private readonly int _maxStanzaBytes;
    private readonly ClientWebSocket _socket = new();
    private readonly StanzaParser _parser = new();
    private byte[] _buffer = new byte[64 * 1024];
    private HttpMessageInvoker? _invoker;
    private Socket? _tcp;

    public WebSocketTransport(Uri uri, XmppTlsOptions tls, int maxStanzaBytes, ILogger logger)
    {
        _uri = uri;
        _tls = tls;
        _maxStanzaBytes = maxStanzaBytes;
        _logger = logger;
    }

    public bool IsSecure => _uri.Scheme == "wss";

    public bool SupportsStartTls => false;

    public bool HasBufferedFrames => false; // one message per frame; the socket's own buffer is not visible

    public bool TryPreferInlineCompletions(bool inline) => _tcp is not null && SocketCompletions.TryPreferInline(_tcp, inline);

    public async Task ConnectAsync(CancellationToken cancellationToken)
    {
        _socket.Options.AddSubProtocol("xmpp");
        _socket.Options.KeepAliveInterval = TimeSpan.Zero; // XMPP pings keep the stream alive

        // Our own connection handler, so that the TCP socket under the WebSocket is ours to tune (reads continuing on
        // the socket event thread, see XmppClientOptions.PreferInlineSocketCompletions).
        var handler = new SocketsHttpHandler
        {
            UseProxy = false,
            ConnectCallback = async (context, token) =>
            {
                var tcp = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    await tcp.ConnectAsync(context.DnsEndPoint, token);
                }
                catch
                {
                    tcp.Dispose();
                    throw;
                }

                _tcp = tcp;
                return new NetworkStream(tcp, ownsSocket: true);
            },
        };
        if (IsSecure)
        {
            handler.SslOptions.RemoteCertificateValidationCallback = TlsValidation.Create(_tls, _logger);
        }

        _invoker = new HttpMessageInvoker(handler);
        await _socket.ConnectAsync(_uri, _invoker, cancellationToken);
        if (_socket.SubProtocol != "xmpp")
        {
            throw new XmppProtocolException($"The server at {_uri} did not accept the 'xmpp' WebSocket sub-protocol.");
        }
    }

    public Task OpenStreamAsync(string domain, CancellationToken cancellationToken) =>
        SendTextAsync($"<open xmlns='{FramingNs}' to='{System.Security.SecurityElement.Escape(domain)}' version='1.0' xml:lang='en'/>", cancellationToken).AsTask();

    public async ValueTask<XmppFrame> ReadAsync(CancellationToken cancellationToken)
    {
        var length = 0;
        while (true)
        {
            if (length == _buffer.Length)
            {
                if (length >= _maxStanzaBytes)
                {
                    throw new XmppProtocolException($"A stanza is larger than {_maxStanzaBytes} bytes.");
                }

                Array.Resize(ref _buffer, Math.Min(_buffer.Length * 2, _maxStanzaBytes + 1));
            }

            var result = await _socket.ReceiveAsync(_buffer.AsMemory(length), cancellationToken);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                throw new IOException($"The server closed the WebSocket ({_socket.CloseStatus}).");
            }

            length += result.Count;
            if (result.EndOfMessage)
            {
                break;
            }
        }

        // RFC 7395 §3.3.3: every message is one whole element.
        var element = _parser.Parse(_buffer.AsSpan(0, length).Trim(" \t\r\n"u8), Ns.Client.NamespaceName);
        if (element.Name.Namespace == Ns.Framing)
        {
            return element.Name.LocalName switch
            {
                "open" => new XmppFrame(XmppFrameKind.StreamOpen, element),
                "close" => XmppFrame.Close,
                _ => throw new XmppProtocolException($"Unknown framing element <{element.Name.LocalName}>."),
            };
        }

        return new XmppFrame(XmppFrameKind.Element, element);
    }

    public async ValueTask WriteAsync(IReadOnlyList<string> elements, CancellationToken cancellationToken)
    {
        foreach (var element in elements)
        {
            await SendTextAsync(element, cancellationToken);
        }
    }

    public Task StartTlsAsync(string domain, CancellationToken cancellationToken) =>
        throw new NotSupportedException("STARTTLS is not used over WebSocket; use a wss:// URI.");

    public async Task CloseStreamAsync(CancellationToken cancellationToken)
    {
        try
        {
            await SendTextAsync($"<close xmlns='{FramingNs}'/>", cancellationToken);
            await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, cancellationToken);
        }
        catch (Exception ex) when (ex is WebSocketException or IOException or ObjectDisposedException or InvalidOperationException)
        {
            // Already gone; closing is best effort.
        }
    }

    public ValueTask DisposeAsync()
    {
        _socket.Abort();
        _socket.Dispose();
        _invoker?.Dispose();
        return ValueTask.CompletedTask;
    }

    private async ValueTask SendTextAsync(string text, CancellationToken cancellationToken)
    {
        var bytes = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(text.Length));
        try
        {
            var count = Encoding.UTF8.GetBytes(text, bytes);
            await _socket.SendAsync(bytes.AsMemory(0, count), WebSocketMessageType.Text, endOfMessage: true, cancellationToken);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(bytes);
        }
    }
}
