using System.Buffers;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Text;
using Famiglia.Xmpp.Xml;
using Microsoft.Extensions.Logging;

namespace Famiglia.Xmpp.Transport;

/// <summary>RFC 6120 over TCP, with STARTTLS.</summary>
internal sealed class TcpTransport : IXmppTransport
{
    private const int MaxKeptWriteBuffer = 64 * 1024;

    private readonly string _host;
    private readonly int _port;
    private readonly XmppTlsOptions _tls;
    private readonly ILogger _logger;
    private readonly XmppStreamScanner _scanner;
    private readonly Queue<XmppFrame> _frames = new();
    private readonly List<XmppFrame> _scratch = [];
    private readonly byte[] _readBuffer = new byte[64 * 1024];
    private byte[]? _writeBuffer;
    private Socket? _socket;
    private Stream? _stream;

    public TcpTransport(string host, int port, XmppTlsOptions tls, int maxStanzaBytes, ILogger logger)
    {
        _host = host;
        _port = port;
        _tls = tls;
        _logger = logger;
        _scanner = new XmppStreamScanner(maxStanzaBytes);
    }

    public bool IsSecure { get; private set; }

    public bool SupportsStartTls => true;

    public bool HasBufferedFrames => _frames.Count > 0;

    public async Task ConnectAsync(CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(_host, _port, cancellationToken);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.KeepAlive, true);
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: true);
    }

    public async Task OpenStreamAsync(string domain, CancellationToken cancellationToken)
    {
        _scanner.Reset();
        _frames.Clear();
        var header = $"<?xml version='1.0'?><stream:stream to='{System.Security.SecurityElement.Escape(domain)}' version='1.0' xml:lang='en' xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>";
        await WriteRawAsync(header, cancellationToken);
    }

    public async ValueTask<XmppFrame> ReadAsync(CancellationToken cancellationToken)
    {
        while (_frames.Count == 0)
        {
            var stream = _stream ?? throw new InvalidOperationException("Not connected.");
            var read = await stream.ReadAsync(_readBuffer, cancellationToken);
            if (read == 0)
            {
                throw new IOException("The server closed the connection.");
            }

            _scratch.Clear();
            _scanner.Feed(_readBuffer.AsSpan(0, read), _scratch);
            foreach (var frame in _scratch)
            {
                _frames.Enqueue(frame);
            }
        }

        return _frames.Dequeue();
    }

    public async ValueTask WriteAsync(IReadOnlyList<string> elements, CancellationToken cancellationToken)
    {
        // One write for the batch, encoded straight into a buffer kept for the next one: one TLS record
        // (up to 16 KB) and one send for everything the writer found queued.
        var length = 0;
        foreach (var element in elements)
        {
            length += Encoding.UTF8.GetByteCount(element);
        }

        var buffer = RentWriteBuffer(length);
        try
        {
            var written = 0;
            foreach (var element in elements)
            {
                written += Encoding.UTF8.GetBytes(element, buffer.AsSpan(written));
            }

            await WriteBytesAsync(buffer.AsMemory(0, written), cancellationToken);
        }
        finally
        {
            if (buffer != _writeBuffer)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }

    public async Task StartTlsAsync(string domain, CancellationToken cancellationToken)
    {
        var inner = _stream ?? throw new InvalidOperationException("Not connected.");
        var ssl = new SslStream(inner, leaveInnerStreamOpen: false, TlsValidation.Create(_tls, _logger));
        await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = domain,
            EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
        }, cancellationToken);
        _stream = ssl;
        IsSecure = true;
    }

    public bool TryPreferInlineCompletions(bool inline) => _socket is not null && SocketCompletions.TryPreferInline(_socket, inline);

    public async Task CloseStreamAsync(CancellationToken cancellationToken)
    {
        try
        {
            await WriteRawAsync("</stream:stream>", cancellationToken);
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or InvalidOperationException or SocketException)
        {
            // The connection is already gone; closing is best effort.
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_stream is not null)
        {
            await _stream.DisposeAsync();
        }

        _socket?.Dispose();
    }

    /// <summary>The buffer kept for batches up to <see cref="MaxKeptWriteBuffer"/> (only one writer at a time uses
    /// it), or a pooled one for a larger batch.</summary>
    private byte[] RentWriteBuffer(int length)
    {
        if (length > MaxKeptWriteBuffer)
        {
            return ArrayPool<byte>.Shared.Rent(length);
        }

        if (_writeBuffer is null || _writeBuffer.Length < length)
        {
            _writeBuffer = new byte[Math.Max(length, 4096)];
        }

        return _writeBuffer;
    }

    private ValueTask WriteRawAsync(string text, CancellationToken cancellationToken) => WriteAsync([text], cancellationToken);

    private async ValueTask WriteBytesAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        var stream = _stream ?? throw new InvalidOperationException("Not connected.");
        await stream.WriteAsync(bytes, cancellationToken);
        await stream.FlushAsync(cancellationToken);
    }
}
