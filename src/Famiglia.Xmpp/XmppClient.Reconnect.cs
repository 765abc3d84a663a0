namespace Famiglia.Xmpp;

public sealed partial class XmppClient
{
    private const string AckRequest = "<r xmlns='urn:xmpp:sm:3'/>";
    private const int PumpBatch = 64;

    /// <summary>The one place where every failure of a live session ends up.</summary>
    internal void OnConnectionFailed(XmppSession session, Exception error)
    {
        if (!session.TryMarkFailed())
        {
            return;
        }

        _ = session.DisposeAsync().AsTask();
        if (!ReferenceEquals(Volatile.Read(ref _session), session) || State == XmppConnectionState.Disconnected)
        {
            return;
        }

        XmppLog.ConnectionFailed(_logger, _options.Service, error.Message, error is IOException or OperationCanceledException ? null : error);
        var terminal = error is XmppStreamException { Condition: "conflict" or "not-authorized" };
        if (!_options.AutoReconnect || terminal)
        {
            ForceState(XmppConnectionState.Disconnected, error);
            FailPendingIqs(new XmppException("The connection was lost.", error));
            return;
        }

        if (TryChangeState(XmppConnectionState.Connected, XmppConnectionState.Reconnecting, error))
        {
            _reconnect = Task.Run(ReconnectLoopAsync);
        }
    }

    private async Task ReconnectLoopAsync()
    {
        for (var attempt = 0; State == XmppConnectionState.Reconnecting && !_lifetime.IsCancellationRequested; attempt++)
        {
            try
            {
                if (attempt > 0)
                {
                    var delay = Backoff(attempt);
                    XmppLog.ReconnectScheduled(_logger, delay, attempt);
                    await Task.Delay(delay, _time, _lifetime.Token);
                }

                await EstablishAsync(allowResume: true, _lifetime.Token);
                if (TryChangeState(XmppConnectionState.Reconnecting, XmppConnectionState.Connected, null))
                {
                    _online.TrySetResult();
                }

                return;
            }
            catch (OperationCanceledException) when (_lifetime.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is XmppAuthenticationException or XmppTlsRequiredException)
            {
                // A wrong password or a missing TLS stays so: one clear error, no retry storm.
                XmppLog.AuthenticationFailed(_logger, (ex as XmppAuthenticationException)?.Condition ?? "tls-required");
                ForceState(XmppConnectionState.Disconnected, ex);
                FailPendingIqs(ex);
                return;
            }
            catch (Exception ex)
            {
                XmppLog.ConnectionFailed(_logger, _options.Service, ex.Message, null);
            }
        }
    }

    /// <summary>Exponential backoff with jitter: between half and all of min·2^attempt, capped.</summary>
    private TimeSpan Backoff(int attempt)
    {
        var ceiling = Math.Min(_options.ReconnectMaxDelay.TotalMilliseconds, _options.ReconnectMinDelay.TotalMilliseconds * Math.Pow(2, Math.Min(attempt - 1, 20)));
        return TimeSpan.FromMilliseconds(ceiling * (0.5 + (Random.Shared.NextDouble() / 2)));
    }

    /// <summary>Moves queued stanzas to the live session, in order, keeping the server's unacknowledged
    /// count under <see cref="XmppClientOptions.MaxUnackedStanzas"/> (backpressure instead of overflow).</summary>
    private async Task PumpAsync()
    {
        var reader = _sendQueue.Reader;
        try
        {
            while (await reader.WaitToReadAsync(_lifetime.Token))
            {
                await _online.Task.WaitAsync(_lifetime.Token);
                var session = _session;
                if (session is null || session.HasFailed || State != XmppConnectionState.Connected)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(10), _time, _lifetime.Token);
                    continue;
                }

                while (!session.HasFailed)
                {
                    Task? waitForAck = null;
                    var drained = false;
                    lock (_sm)
                    {
                        // Read and queue under the lock, so the fast path in SendAsync cannot overtake; a bounded
                        // batch at a time, since the read loop takes this lock for every stanza it receives.
                        for (var moved = 0; moved < PumpBatch; moved++)
                        {
                            if (_sm.Enabled && _sm.UnackedCount >= _options.MaxUnackedStanzas)
                            {
                                waitForAck = _sm.WaitForRoom(_options.MaxUnackedStanzas - Math.Max(1, _options.MaxUnackedStanzas / 4));
                                break;
                            }

                            if (!reader.TryRead(out var stanza))
                            {
                                drained = true;
                                break;
                            }

                            QueueOn(session, stanza);
                        }
                    }

                    session.Flush(); // outside the lock: the batch goes out in one write
                    if (drained)
                    {
                        break;
                    }

                    if (waitForAck is null)
                    {
                        continue;
                    }

                    XmppLog.Backpressure(_logger, _options.MaxUnackedStanzas);
                    RequestAck(session);
                    try
                    {
                        await waitForAck.WaitAsync(_options.PingTimeout, _time, session.Stopping);
                    }
                    catch (TimeoutException)
                    {
                        // No acknowledgement in time: ask again on the next turn.
                    }
                    catch (OperationCanceledException) when (session.Stopping.IsCancellationRequested)
                    {
                        // The session ended; the loop condition sees it.
                    }
                }
            }
        }
        catch (OperationCanceledException) when (_lifetime.IsCancellationRequested)
        {
            // Disposed.
        }
    }

    /// <summary>The fast path of <see cref="SendAsync"/>: online, nothing queued ahead of it and under the
    /// acknowledgement limit, the stanza goes straight to the session, and is written on the caller's thread
    /// unless a write is in progress, without a hop through the pump.</summary>
    private bool TrySendNow(Stanza stanza)
    {
        var session = _session;
        if (State != XmppConnectionState.Connected || session is null || session.HasFailed)
        {
            return false;
        }

        lock (_sm)
        {
            if (_sendQueue.Reader.Count > 0 || (_sm.Enabled && _sm.UnackedCount >= _options.MaxUnackedStanzas))
            {
                return false;
            }

            QueueOn(session, stanza);
        }

        session.Flush(); // outside the lock: written here and now unless a write is already in progress
        return true;
    }

    private void RequestAck(XmppSession session)
    {
        lock (_sm)
        {
            if (_sm.Enabled)
            {
                session.Enqueue(AckRequest);
            }
        }

        session.Flush();
    }
}
