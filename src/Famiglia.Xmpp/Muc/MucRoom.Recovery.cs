using System.Globalization;
using System.Xml.Linq;

namespace Famiglia.Xmpp;

public sealed partial class MucRoom
{
    private const int ArchivePageSize = 100;
    private readonly List<RoomMessage> _liveDuringCatchUp = [];
    private List<RoomMessage> _archivePage = [];
    private string? _archiveQueryId;
    private readonly SemaphoreSlim _restoring = new(1, 1);
    private bool _catchingUp;
    private DateTimeOffset _syncedAt;
    private (string? After, int Last)? _catchUpOnJoin;

    /// <summary>
    /// Makes the first join deliver, before any live message, what the room's archive (XEP-0313) holds that this
    /// occupant missed while it was not in the room: every message after <paramref name="afterStanzaId"/> (the
    /// <see cref="RoomMessage.StanzaId"/> of the last message it saw, kept across runs), or, with none (or one the
    /// archive no longer has), the last <paramref name="last"/> messages. They arrive once, in order, with
    /// <see cref="RoomMessage.FromArchive"/> set. Call it from <c>JoinRoomAsync</c>'s <c>beforeJoin</c>.
    /// </summary>
    public void CatchUpOnJoin(string? afterStanzaId, int last = 50)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(last);
        lock (_gate)
        {
            if (_joined || _catchingUp)
            {
                throw new InvalidOperationException("CatchUpOnJoin is for the first join: call it in JoinRoomAsync's beforeJoin.");
            }

            _catchUpOnJoin = (string.IsNullOrWhiteSpace(afterStanzaId) ? null : afterStanzaId, last);
        }
    }

    /// <summary>The first join, with the catch-up <see cref="CatchUpOnJoin"/> asked for.</summary>
    internal async Task JoinFirstAsync(XmppSession session, CancellationToken cancellationToken)
    {
        if (_catchUpOnJoin is not { } from)
        {
            await JoinAsync(session, cancellationToken);
            return;
        }

        lock (_gate)
        {
            _catchingUp = true;
        }

        try
        {
            await JoinAsync(session, cancellationToken);
            var caughtUp = false;
            if (from.After is not null)
            {
                try
                {
                    await CatchUpAsync(session, from.After, since: default, cancellationToken);
                    caughtUp = true;
                }
                catch (XmppStanzaException ex) when (ex.Error.Condition == "item-not-found")
                {
                    XmppLog.ArchiveMarkUnknown(_client.Logger, Jid, from.After);
                }
            }

            if (!caughtUp && from.Last > 0)
            {
                await CatchUpLastAsync(session, from.Last, cancellationToken);
            }
        }
        finally
        {
            EndCatchUp();
        }
    }

    /// <summary>After a new session (the old one could not be resumed): rejoin, then fetch from the room's
    /// archive (XEP-0313) everything after the last message we saw, then the live messages that arrived
    /// meanwhile, so handlers see every message once and in order.</summary>
    internal async Task RestoreAsync(XmppSession session, CancellationToken cancellationToken)
    {
        // A reconnect and a failed self-ping may both want to restore: one at a time.
        await _restoring.WaitAsync(cancellationToken);
        try
        {
            await RestoreOnceAsync(session, cancellationToken);
        }
        finally
        {
            _restoring.Release();
        }
    }

    private async Task RestoreOnceAsync(XmppSession session, CancellationToken cancellationToken)
    {
        _joined = false;
        string? after;
        DateTimeOffset since;
        lock (_gate)
        {
            _catchingUp = true;
            after = LastStanzaId; // where we were before the rejoin moves the marks
            since = _syncedAt;
        }

        try
        {
            try
            {
                await JoinAsync(session, cancellationToken);
            }
            catch (MucJoinException ex)
            {
                _client.RemoveRoom(this);
                XmppLog.RejoinFailed(_client.Logger, Jid, ex);
                RaiseEvent(new MucRoomEvent(MucRoomEventKind.RejoinFailed, ex.Message));
                return;
            }

            await CatchUpAsync(session, after, since, cancellationToken);
            RaiseEvent(new MucRoomEvent(MucRoomEventKind.Rejoined));
        }
        finally
        {
            EndCatchUp();
        }
    }

    /// <summary>Live messages that arrived during a catch-up go out after it (the archive's copies are not repeated).</summary>
    private void EndCatchUp()
    {
        lock (_gate)
        {
            _catchingUp = false;
            foreach (var message in _liveDuringCatchUp)
            {
                Deliver(message);
            }

            _liveDuringCatchUp.Clear();
        }
    }

    private async Task CatchUpAsync(XmppSession session, string? after, DateTimeOffset since, CancellationToken cancellationToken)
    {
        var total = 0;
        while (true)
        {
            var set = new XElement(Ns.Rsm + "set", new XElement(Ns.Rsm + "max", ArchivePageSize));
            XElement? start = null;
            if (after is not null)
            {
                set.Add(new XElement(Ns.Rsm + "after", after));
            }
            else
            {
                start = new XElement(Ns.DataForms + "field", new XAttribute("var", "start"),
                    new XElement(Ns.DataForms + "value", since.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture)));
            }

            var (count, fin) = await DeliverArchivePageAsync(session, start, set, cancellationToken);
            total += count;
            var complete = fin?.Attribute("complete")?.Value is "true" or "1";
            var last = fin?.Element(Ns.Rsm + "set")?.Element(Ns.Rsm + "last")?.Value;
            if (complete || count == 0 || last is null)
            {
                break;
            }

            after = last;
        }

        XmppLog.CaughtUp(_client.Logger, Jid, total);
    }

    /// <summary>The last <paramref name="count"/> messages of the archive, oldest first (RSM's empty <c>before</c>).</summary>
    private async Task CatchUpLastAsync(XmppSession session, int count, CancellationToken cancellationToken)
    {
        var set = new XElement(Ns.Rsm + "set", new XElement(Ns.Rsm + "max", Math.Min(count, ArchivePageSize)), new XElement(Ns.Rsm + "before"));
        var (delivered, _) = await DeliverArchivePageAsync(session, start: null, set, cancellationToken);
        XmppLog.CaughtUp(_client.Logger, Jid, delivered);
    }

    /// <summary>One archive query (XEP-0313, paged by <paramref name="set"/>, from <paramref name="start"/> when given):
    /// its messages are delivered in order; returns how many, and the answer's <c>fin</c>.</summary>
    private async Task<(int Count, XElement? Fin)> DeliverArchivePageAsync(XmppSession session, XElement? start, XElement set, CancellationToken cancellationToken)
    {
        var queryId = Guid.NewGuid().ToString("N");
        lock (_gate)
        {
            _archiveQueryId = queryId;
            _archivePage = [];
        }

        var form = new XElement(Ns.DataForms + "x", new XAttribute("type", "submit"),
            new XElement(Ns.DataForms + "field", new XAttribute("var", "FORM_TYPE"), new XAttribute("type", "hidden"),
                new XElement(Ns.DataForms + "value", Ns.Mam.NamespaceName)),
            start);
        var query = new IqStanza("set", Jid, new XElement(Ns.Mam + "query", new XAttribute("queryid", queryId), form, set));
        var answer = await _client.SendIqOnAsync(session, query, _client.Options.RequestTimeout, cancellationToken);
        lock (_gate)
        {
            var page = _archivePage;
            _archiveQueryId = null;
            foreach (var message in page)
            {
                Deliver(message);
            }

            return (page.Count, answer.Element.Element(Ns.Mam + "fin"));
        }
    }

    /// <summary>One archived message of a catch-up query (read loop).</summary>
    private void OnArchiveResult(XElement result)
    {
        var forwarded = result.Element(Ns.Forward + "forwarded");
        var inner = forwarded?.Element(Ns.Client + "message");
        if (inner is null)
        {
            return;
        }

        var message = new MessageStanza(inner);
        if (message.Type != "groupchat" || message.Body is null || message.From?.Resource is not { } nick)
        {
            return;
        }

        var stamp = forwarded!.Element(Ns.Delay + "delay")?.Attribute("stamp")?.Value;
        var timestamp = DateTimeOffset.TryParse(stamp, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) ? at : _client.Time.GetUtcNow();
        var roomMessage = new RoomMessage(Jid, nick, message.Body, message.Thread, result.Attribute("id")?.Value ?? message.StanzaIdBy(Jid),
            message.OriginId, timestamp, nick == Nick, FromArchive: true);
        lock (_gate)
        {
            if (result.Attribute("queryid")?.Value == _archiveQueryId)
            {
                _archivePage.Add(roomMessage);
            }
        }
    }

    /// <summary>XEP-0410: ping our own occupant JID now and then; the room answers only while we are in it.</summary>
    private async Task SelfPingLoopAsync()
    {
        var token = _lifetime.Token;
        try
        {
            while (!token.IsCancellationRequested)
            {
                await Task.Delay(_client.Options.RoomSelfPingInterval, _client.Time, token);
                if (_client.State != XmppConnectionState.Connected || _catchingUp)
                {
                    continue;
                }

                // Pinged also when the room said we left for no reason we know of: we still want to be in it.

                try
                {
                    await _client.SendIqAsync(new IqStanza("get", OccupantJid, new XElement(Ns.Ping + "ping")), _client.Options.PingTimeout, token);
                }
                catch (XmppStanzaException ex) when (ex.Error.Condition is "not-acceptable" or "item-not-found" or "remote-server-not-found" or "remote-server-timeout")
                {
                    XmppLog.SelfPingLost(_client.Logger, Jid, ex.Error.Condition);
                    var session = await _client.WaitOnlineAsync(token);
                    await RestoreAsync(session, token);
                }
                catch (XmppStanzaException)
                {
                    // service-unavailable or feature-not-implemented: the occupant exists, we are still in.
                }
                catch (Exception ex) when (ex is TimeoutException or XmppException)
                {
                    // The connection's own keepalive deals with a dead connection.
                }
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // Left or disposed.
        }
    }
}
