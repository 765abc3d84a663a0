using System.Collections.Concurrent;
using System.Net.Sockets;

namespace Famiglia.Xmpp;

/// <summary>
/// The write side: serialized XML waits in one ordered queue, and one writer at a time drains it.
/// </summary>
/// <remarks>
/// There is no writer loop waiting on a channel. Whoever queues XML and then finds nobody writing becomes
/// the writer, on its own thread, and writes everything queued in one transport write (one TLS record, one
/// send). A write the kernel accepts at once completes synchronously, so a send costs no thread hop; only a
/// write that has to wait for the socket continues on the thread pool, and whoever queues meanwhile leaves
/// its XML to that writer, which takes it in its next batch. Measured on two cores (bench/RESULTS.md), each
/// hop to an idle thread-pool worker costs far more CPU in the worker's spin-then-sleep than the write itself.
/// <para>Queuing happens under the stream-management lock (so queue order is send order); writing never
/// does: <see cref="Enqueue"/> only queues and callers <see cref="Flush"/> after releasing the lock. The read
/// loop may become the writer too, but never waits for a write: a pending write continues on its own.</para>
/// </remarks>
internal sealed partial class XmppSession
{
    private const int MaxBatch = 256;
    private readonly ConcurrentQueue<string> _outgoing = new();
    private readonly SemaphoreSlim _writer = new(1, 1);
    private readonly List<string> _batch = new(MaxBatch); // the writer's alone

    /// <summary>Queues serialized XML, in order, for the writer. Never writes, so it is safe under a lock.
    /// Returns false when the session is gone. Call <see cref="Flush"/> once no lock is held.</summary>
    public bool Enqueue(string xml)
    {
        if (HasFailed)
        {
            return false;
        }

        _outgoing.Enqueue(xml);
        return true;
    }

    /// <summary>Writes what is queued, on this thread, unless a writer is already at work (it writes ours
    /// too). Returns without waiting for a write that cannot complete at once.</summary>
    public void Flush()
    {
        if (!_outgoing.IsEmpty && !HasFailed && _writer.Wait(0))
        {
            _ = DrainAsync();
        }
    }

    /// <summary>Closes the stream politely: what is queued (leaving presences) goes out, then the stream
    /// close, then the session stops.</summary>
    public async Task CloseAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _failed, 1) != 0)
        {
            return;
        }

        // A close write that has to wait must not continue the caller's code on the socket event thread.
        Transport.TryPreferInlineCompletions(false);
        try
        {
            // Nothing is queued from now on (the session counts as failed); a writer at work finishes first.
            if (await _writer.WaitAsync(TimeSpan.FromSeconds(2), cancellationToken))
            {
                try
                {
                    while (TakeBatch())
                    {
                        await Transport.WriteAsync(_batch, cancellationToken);
                    }

                    await Transport.CloseStreamAsync(cancellationToken);
                }
                finally
                {
                    _writer.Release();
                }
            }
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or InvalidOperationException or SocketException or System.Net.WebSockets.WebSocketException)
        {
            // The connection is already gone; closing is best effort.
        }
        finally
        {
            _stop.Cancel();
        }
    }

    /// <summary>Writes batches until the queue is empty. Called holding <see cref="_writer"/>; runs synchronously
    /// for as long as the transport completes writes synchronously.</summary>
    private async Task DrainAsync()
    {
        try
        {
            do
            {
                try
                {
                    while (TakeBatch())
                    {
                        await Transport.WriteAsync(_batch, _stop.Token);
                    }
                }
                finally
                {
                    _writer.Release();
                }
            }
            // XML queued after our last look, but while we still held the writer, is ours to write: its
            // Flush found us busy and left.
            while (!_outgoing.IsEmpty && !HasFailed && _writer.Wait(0));
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            // Closing.
        }
        catch (Exception ex)
        {
            _client.OnConnectionFailed(this, ex);
        }
    }

    private bool TakeBatch()
    {
        _batch.Clear();
        while (_batch.Count < MaxBatch && _outgoing.TryDequeue(out var xml))
        {
            XmppLog.TraceSend(_logger, xml);
            _batch.Add(xml);
        }

        return _batch.Count > 0;
    }

    /// <summary>Waits (bounded) for a writer at work to stop, so nothing writes once the session is disposed.</summary>
    private async Task WaitForWriterAsync()
    {
        if (await _writer.WaitAsync(TimeSpan.FromSeconds(5)))
        {
            _writer.Release();
        }
    }
}
