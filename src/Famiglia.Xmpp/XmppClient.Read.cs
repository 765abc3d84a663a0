using System.Globalization;
using System.Xml.Linq;

namespace Famiglia.Xmpp;

public sealed partial class XmppClient
{
    /// <summary>Routes one element from the read loop. It must stay quick: handlers run elsewhere.</summary>
    internal void OnElement(XmppSession session, XElement element)
    {
        if (element.Name == Ns.Stream + "error")
        {
            throw StreamError(element);
        }

        if (element.Name.Namespace == Ns.Sm)
        {
            OnStreamManagement(session, element);
            return;
        }

        var stanza = Stanza.FromElement(element);
        if (stanza is null)
        {
            return;
        }

        lock (_sm)
        {
            if (_sm.Enabled)
            {
                _sm.Inbound = unchecked(_sm.Inbound + 1);
            }
        }

        switch (stanza)
        {
            case IqStanza iq when iq.IsRequest:
                AnswerIq(session, iq);
                break;
            case IqStanza iq:
                if (iq.Id is not null && _pendingIqs.TryRemove(iq.Id, out var pending))
                {
                    pending.TrySetResult(iq);
                }

                break;
            case MessageStanza message when message.From is { } from && _rooms.TryGetValue(from.Bare, out var room):
                room.OnMessage(message);
                break;
            case MessageStanza message:
                DispatchMessage(message);
                break;
            case PresenceStanza presence when presence.From is { } from && _rooms.TryGetValue(from.Bare, out var room):
                room.OnPresence(presence);
                break;
        }
    }

    private void OnStreamManagement(XmppSession session, XElement element)
    {
        switch (element.Name.LocalName)
        {
            case "r":
                // Answered once the frames already read are handled (h is cumulative): during a burst the
                // server asks after nearly every stanza, and one <a/> can answer a whole read of <r/>s.
                session.AckOwed = true;
                break;
            case "a" when uint.TryParse(element.Attribute("h")?.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var h):
                lock (_sm)
                {
                    _sm.Acknowledge(h);
                }

                break;
        }
    }

    /// <summary>Sends the <c>&lt;a/&gt;</c> owed for the <c>&lt;r/&gt;</c>s of the frames handled so far.</summary>
    internal void SendOwedAck(XmppSession session)
    {
        uint inbound;
        lock (_sm)
        {
            inbound = _sm.Inbound;
        }

        session.AckOwed = false;
        session.Enqueue($"<a xmlns='{SmNs}' h='{inbound.ToString(CultureInfo.InvariantCulture)}'/>");
        session.Flush(); // on the read loop, but never waiting: a write that cannot complete at once goes on by itself
    }

    private void AnswerIq(XmppSession session, IqStanza iq)
    {
        // Every get and set gets an answer (RFC 6120 §8.2.3): a ping a result, anything else an error.
        var answer = iq.Payload?.Name == Ns.Ping + "ping"
            ? iq.CreateResult()
            : iq.CreateError("cancel", "service-unavailable");
        SendOn(session, answer);
    }

    private void DispatchMessage(MessageStanza message)
    {
        Func<MessageStanza, Task>[] handlers;
        lock (_messageHandlers)
        {
            handlers = [.. _messageHandlers];
        }

        foreach (var handler in handlers)
        {
            _events.Post(() => handler(message));
        }
    }
}
