using Famiglia.Xmpp.Transport;
using Famiglia.Xmpp.Xml;
using Microsoft.Extensions.Logging;

namespace Famiglia.Xmpp;

/// <summary>One negotiated connection: its transport, one read loop (over TCP continuing on the socket event thread,
/// see <see cref="XmppClientOptions.PreferInlineSocketCompletions"/>), one writer at a time draining the
/// outgoing queue (see XmppSession.Write.cs), and a keepalive. Every failure of any of them reaches
/// <see cref="XmppClient"/> exactly once.</summary>
internal sealed partial class XmppSession : IAsyncDisposable
{
    private const int MaxFramesInline = 64;
    private readonly XmppClient _client;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly TimeProvider _time;
    private Task _readLoop = Task.CompletedTask;
    private Task _keepAlive = Task.CompletedTask;
    private int _failed;
    private bool _readsInline;
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

    public void Start(TimeSpan keepAliveInterval, bool preferInlineCompletions)
    {
        // Only now: during negotiation a read's continuation is the SASL code (PBKDF2), not for the socket thread.
        _readsInline = preferInlineCompletions && Transport.TryPreferInlineCompletions(true);
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

    /// <remarks>With inline completions (<see cref="XmppClientOptions.PreferInlineSocketCompletions"/>) a read that had
    /// to wait continues on the socket event thread, which every socket of the process shares: after
    /// <see cref="MaxFramesInline"/> frames read without waiting, the loop moves to the thread pool until a read waits again.</remarks>
    private async Task ReadLoopAsync()
    {
        try
        {
            var framesWithoutWaiting = 0;
            while (!_stop.IsCancellationRequested)
            {
                var read = Transport.ReadAsync(_stop.Token);
                framesWithoutWaiting = read.IsCompleted ? framesWithoutWaiting + 1 : 0;
                var frame = await read;
                if (_readsInline && framesWithoutWaiting >= MaxFramesInline && !Thread.CurrentThread.IsThreadPoolThread)
                {
                    framesWithoutWaiting = 0;
                    await Task.Yield(); // off the socket event thread
                }

                OnFrame(frame);
            }
        }
        catch (Exception ex)
        {
            _client.OnConnectionFailed(this, ex);
        }
    }

    private void OnFrame(XmppFrame frame)
    {
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
