using System.Globalization;
using System.Xml.Linq;
using Famiglia.Xmpp;

namespace Famiglia.Web.Chat;

internal sealed partial class ChatArchiver
{
    private const int ArchivePageSize = 100;
    private static readonly XNamespace Mam = "urn:xmpp:mam:2";
    private static readonly XNamespace Rsm = "http://jabber.org/protocol/rsm";
    private static readonly XNamespace DataForms = "jabber:x:data";
    private static readonly XNamespace Forward = "urn:xmpp:forward:0";
    private static readonly XNamespace Delay = "urn:xmpp:delay";
    private static readonly XNamespace Client = "jabber:client";

    /// <summary>A second session of the service account that is in no room, so the archive's answers reach us
    /// rather than the room's own catch-up (an owner may query a room's archive without being in it).</summary>
    private Task<XmppClient> ConnectHistoryClientAsync(CancellationToken cancellationToken) =>
        clients.ConnectAsync(ChatAddresses.ServiceUser, service.Password, "history-" + Guid.NewGuid().ToString("N")[..8], cancellationToken);

    /// <summary>Stores what the room's archive (XEP-0313) holds from <paramref name="since"/> on (all of it when null). Run
    /// after entering the room, so that together with the live messages nothing is missed; overlaps are de-duplicated.</summary>
    private async Task CatchUpAsync(XmppClient history, ArchivedRoom room, DateTime? since, CancellationToken cancellationToken)
    {
        string? after = null;
        var total = 0;
        while (true)
        {
            var page = new ArchivePage(Guid.NewGuid().ToString("N"), room.Jid);
            using (history.OnMessage(page.OnMessageAsync))
            {
                var form = new XElement(DataForms + "x", new XAttribute("type", "submit"),
                    new XElement(DataForms + "field", new XAttribute("var", "FORM_TYPE"), new XAttribute("type", "hidden"),
                        new XElement(DataForms + "value", Mam.NamespaceName)));
                if (since is { } start)
                {
                    form.Add(new XElement(DataForms + "field", new XAttribute("var", "start"),
                        new XElement(DataForms + "value", start.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture))));
                }

                var set = new XElement(Rsm + "set", new XElement(Rsm + "max", ArchivePageSize));
                if (after is not null)
                {
                    set.Add(new XElement(Rsm + "after", after));
                }

                var answer = await history.SendIqAsync(
                    new IqStanza("set", room.Jid, new XElement(Mam + "query", new XAttribute("queryid", page.QueryId), form, set)),
                    cancellationToken: cancellationToken);
                var fin = answer.Element.Element(Mam + "fin");
                var last = fin?.Element(Rsm + "set")?.Element(Rsm + "last")?.Value;

                // The answer overtakes the results, which reach the handler through the client's dispatcher.
                if (last is not null)
                {
                    await page.WaitForAsync(last, TimeSpan.FromSeconds(30), cancellationToken);
                }

                foreach (var message in page.Messages)
                {
                    await StoreAsync(room.Id, message);
                }

                total += page.Messages.Count;
                var complete = fin?.Attribute("complete")?.Value is "true" or "1";
                if (complete || last is null || page.Count == 0)
                {
                    break;
                }

                after = last;
            }
        }

        CaughtUp(logger, room.Jid.ToString(), total);
    }

    [LoggerMessage(8, LogLevel.Information, "Caught up on room {Room} from its archive: {Count} message(s)")]
    private static partial void CaughtUp(ILogger logger, string room, int count);

    /// <summary>The results of one archive query, collected on the client's dispatcher.</summary>
    private sealed class ArchivePage(string queryId, Jid room)
    {
        private readonly Lock _gate = new();
        private readonly List<RoomMessage> _messages = [];
        private readonly HashSet<string> _ids = new(StringComparer.Ordinal);
        private string? _awaited;
        private TaskCompletionSource? _arrived;

        public string QueryId => queryId;

        /// <summary>Results of any kind seen, messages with a body or not.</summary>
        public int Count
        {
            get
            {
                lock (_gate)
                {
                    return _ids.Count;
                }
            }
        }

        public IReadOnlyList<RoomMessage> Messages
        {
            get
            {
                lock (_gate)
                {
                    return [.. _messages];
                }
            }
        }

        public Task OnMessageAsync(MessageStanza stanza)
        {
            var result = stanza.Element.Element(Mam + "result");
            if (result?.Attribute("queryid")?.Value != queryId || result.Attribute("id")?.Value is not { } id)
            {
                return Task.CompletedTask;
            }

            var forwarded = result.Element(Forward + "forwarded");
            var inner = forwarded?.Element(Client + "message") is { } element ? new MessageStanza(element) : null;
            RoomMessage? message = null;
            if (inner is { Type: "groupchat", Body: { } body, From.Resource: { } nick })
            {
                var stamp = forwarded!.Element(Delay + "delay")?.Attribute("stamp")?.Value;
                var at = DateTimeOffset.TryParse(stamp, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed) ? parsed : DateTimeOffset.UtcNow;
                message = new RoomMessage(room, nick, body, inner.Thread, id, inner.OriginId, at, IsOwn: false, FromArchive: true);
            }

            lock (_gate)
            {
                _ids.Add(id);
                if (message is not null)
                {
                    _messages.Add(message);
                }

                if (id == _awaited)
                {
                    _arrived?.TrySetResult();
                }
            }

            return Task.CompletedTask;
        }

        public Task WaitForAsync(string id, TimeSpan timeout, CancellationToken cancellationToken)
        {
            lock (_gate)
            {
                if (_ids.Contains(id))
                {
                    return Task.CompletedTask;
                }

                _awaited = id;
                _arrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                return _arrived.Task.WaitAsync(timeout, cancellationToken);
            }
        }
    }
}
