namespace Famiglia.Xmpp;

/// <summary>XEP-0198 bookkeeping: what the server has acknowledged, what it has not, and how many stanzas
/// we have handled. Guarded by locking the instance.</summary>
internal sealed class StreamManagement
{
    private readonly Queue<(string Xml, bool IsMessage)> _unacked = new();
    private const int AckRequestEvery = 50;
    private uint _acked;
    private int _sinceRequest;
    private TaskCompletionSource? _room;
    private int _roomAt;

    public bool Enabled { get; private set; }

    /// <summary>The id to resume with, when the server allows resumption.</summary>
    public string? ResumeId { get; private set; }

    /// <summary>Stanzas received from the server on this stream (our <c>h</c>).</summary>
    public uint Inbound { get; set; }

    public int UnackedCount => _unacked.Count;

    /// <summary>Completes once the server has acknowledged enough that at most <paramref name="unacked"/> stanzas are
    /// left unacknowledged, or stream management ends. Waking a waiting sender at every acknowledgement (every
    /// <see cref="AckRequestEvery"/> stanzas) cost a thread hop each; a margin lets it send a batch per wake.</summary>
    public Task WaitForRoom(int unacked)
    {
        if (_unacked.Count <= unacked || !Enabled)
        {
            return Task.CompletedTask;
        }

        _roomAt = unacked;
        return (_room ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;
    }

    public void OnEnabled(string? resumeId)
    {
        Enabled = true;
        ResumeId = resumeId;
        Inbound = 0;
        _acked = 0;
    }

    /// <summary>Keeps a sent stanza until acknowledged. True when it is time to ask for an acknowledgement:
    /// every <see cref="AckRequestEvery"/> stanzas, so a burst is confirmed as it goes without an
    /// <c>&lt;r/&gt;</c> per stanza.</summary>
    public bool Track(string xml, bool isMessage)
    {
        _unacked.Enqueue((xml, isMessage));
        if (++_sinceRequest < AckRequestEvery)
        {
            return false;
        }

        _sinceRequest = 0;
        return true;
    }

    /// <summary>Drops what the server says it has handled (<c>h</c> counts every stanza since enable, modulo 2^32).</summary>
    public void Acknowledge(uint h)
    {
        var count = unchecked(h - _acked);
        for (var i = 0u; i < count && _unacked.Count > 0; i++)
        {
            _unacked.Dequeue();
        }

        _acked = h;
        if (_unacked.Count <= _roomAt)
        {
            SignalRoom();
        }
    }

    /// <summary>Takes the unacknowledged stanzas out for resending; only messages when the session is new
    /// (presences and iqs of a dead session are redone by rejoining and by callers).</summary>
    public List<string> TakeUnacked(bool messagesOnly)
    {
        var result = _unacked.Where(u => !messagesOnly || u.IsMessage).Select(u => u.Xml).ToList();
        _unacked.Clear();
        return result;
    }

    /// <summary>Forgets the stream: it cannot be resumed.</summary>
    public void Disable()
    {
        Enabled = false;
        ResumeId = null;
        SignalRoom();
    }

    private void SignalRoom()
    {
        var room = _room;
        _room = null;
        room?.TrySetResult();
    }
}
