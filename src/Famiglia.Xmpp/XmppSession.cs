using Famiglia.Xmpp.Transport;
using Famiglia.Xmpp.Xml;
using Microsoft.Extensions.Logging;

namespace Famiglia.Xmpp;

/// <summary>One negotiated connection: its transport, one read loop, one writer at a time draining the
/// outgoing queue (see XmppSession.Write.cs), and a keepalive. Every failure of any of them reaches
/// <see cref="XmppClient"/> exactly once.</summary>
internal sealed partial class XmppSession : IAsyncDisposable
{
    private readonly XmppClient _client;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly TimeProvider _time;
    private Task _readLoop = Task.CompletedTask;
    private Task _keepAlive = Task.CompletedTask;
    private int _failed;
    private long _lastReceivedTicks;

    public XmppSession(XmppClient client, IXmppTransport transport, TimeProvider time, ILogger logger)
    {
        _client = client;
        Transport = transport;
        _time = time;
        _logger = logger;
        _lastReceivedTicks = time.GetTimestamp();
    }

    public IXmppTransport Transport { get; }

    public Jid Jid { get; set; }

    public bool HasFailed => Volatile.Read(ref _failed) != 0;

    /// <summary>The server asked for an acknowledgement (XEP-0198 &lt;r/&gt;) that is not yet answered. Read loop only.</summary>
    public bool AckOwed { get; set; }

    public CancellationToken Stopping => _stop.Token;

    /// <summary>Reads one frame during negotiation, before the read loop runs.</summary>
    public async ValueTask<XmppFrame> ReadNegotiationFrameAsync(CancellationToken cancellationToken)
    {
        var frame = await Transport.ReadAsync(cancellationToken);
        if (frame.Element is { } element)
        {
            XmppLog.TraceReceive(_logger, element);
        }

        return frame;
    }

    /// <summary>Writes directly during negotiation, before the writer loop runs.</summary>
    public ValueTask WriteNegotiationAsync(string xml, CancellationToken cancellationToken)
    {
        XmppLog.TraceSend(_logger, xml);
        return Transport.WriteAsync([xml], cancellationToken);
    }

    public void Start(TimeSpan keepAliveInterval)
    {
        _readLoop = Task.Run(ReadLoopAsync);
        _keepAlive = Task.Run(() => KeepAliveLoopAsync(keepAliveInterval));
    }

    /// <summary>Marks the session failed; true only for the first caller.</summary>
    public bool TryMarkFailed()
    {
        if (Interlocked.Exchange(ref _failed, 1) != 0)
        {
            return false;
        }

        _stop.Cancel();
        return true;
    }

    public async ValueTask DisposeAsync()
    {
        TryMarkFailed();
        await Transport.DisposeAsync();
        await Task.WhenAll(_readLoop, WaitForWriterAsync(), _keepAlive).ContinueWith(static _ => { }, TaskScheduler.Default);
        _stop.Dispose();
    }

    private async Task ReadLoopAsync()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var frame = await Transport.ReadAsync(_stop.Token);
                Interlocked.Exchange(ref _lastReceivedTicks, _time.GetTimestamp());
                if (frame.Kind == XmppFrameKind.StreamClose)
                {
                    throw new IOException("The server closed the stream.");
                }

                if (frame.Kind == XmppFrameKind.StreamOpen)
                {
                    throw new XmppProtocolException("Unexpected stream header in an established stream.");
                }

                XmppLog.TraceReceive(_logger, frame.Element!);
                _client.OnElement(this, frame.Element!);
                if (AckOwed && !Transport.HasBufferedFrames)
                {
                    _client.SendOwedAck(this);
                }
            }
        }
        catch (Exception ex)
        {
            _client.OnConnectionFailed(this, ex);
        }
    }

    private async Task KeepAliveLoopAsync(TimeSpan interval)
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                await Task.Delay(interval, _time, _stop.Token);
                var idle = _time.GetElapsedTime(Interlocked.Read(ref _lastReceivedTicks));
                if (idle >= interval)
                {
                    await _client.PingServerAsync(this, _stop.Token);
                }
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            // Closing.
        }
        catch (Exception ex)
        {
            _client.OnConnectionFailed(this, new IOException("The server did not answer a keepalive ping.", ex));
        }
    }
}
