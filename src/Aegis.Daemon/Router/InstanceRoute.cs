using Aegis.Daemon.Instances;

namespace Aegis.Daemon.Router;

/// <summary>
/// Where the router sends one app's requests, and the activity its idle timers read: the last request, the requests
/// (WebSockets included) still open, and a gate that is closed while the instance pauses or is paused.
/// </summary>
/// <remarks>
/// The gate and the open count form a Dekker pair: a request counts itself in, then reads the gate; the idle timer
/// closes the gate, then reads the count. Both first steps are interlocked (full fences), so either the request sees
/// the gate closed and wakes the app the slow way, or the timer sees the request and does not pause.
/// </remarks>
internal sealed class InstanceRoute(string appId, string instanceId, string destination, bool ui, bool webSocket, IdlePolicy idle, DateTimeOffset now)
{
    private int _open;
    private int _closed;
    private long _lastActivityTicks = now.UtcTicks;
    private long _pausedAtTicks;

    public string AppId { get; } = appId;

    public string InstanceId { get; } = instanceId;

    /// <summary><c>http://host:port/</c> of the sandbox's exposed port.</summary>
    public string Destination { get; } = destination;

    /// <summary>The exposed port is a UI (<c>ui: true</c>): responses get the framing policy.</summary>
    public bool Ui { get; } = ui;

    /// <summary>The kit lets WebSocket upgrades through (<c>routing.websocket</c>).</summary>
    public bool WebSocket { get; } = webSocket;

    public IdlePolicy Idle { get; } = idle;

    /// <summary>Requests and WebSockets being served right now.</summary>
    public int OpenRequests => Volatile.Read(ref _open);

    public DateTimeOffset LastActivity => new(Interlocked.Read(ref _lastActivityTicks), TimeSpan.Zero);

    /// <summary>When the instance was paused; null while it runs.</summary>
    public DateTimeOffset? PausedAt => Interlocked.Read(ref _pausedAtTicks) is var ticks and not 0 ? new DateTimeOffset(ticks, TimeSpan.Zero) : null;

    /// <summary>Counts a request in, unless the gate is closed (the instance pauses or is paused).</summary>
    public bool TryEnter(DateTimeOffset now)
    {
        Interlocked.Increment(ref _open);
        if (Volatile.Read(ref _closed) == 0)
        {
            Touch(now);
            return true;
        }

        Interlocked.Decrement(ref _open);
        return false;
    }

    /// <summary>A request or WebSocket ends; its end counts as activity too.</summary>
    public void Exit(DateTimeOffset now)
    {
        Touch(now);
        Interlocked.Decrement(ref _open);
    }

    /// <summary>Closes the gate unless a request is open; the idle timer's way in.</summary>
    public bool TryClose()
    {
        Interlocked.Exchange(ref _closed, 1);
        if (Volatile.Read(ref _open) == 0)
        {
            return true;
        }

        Interlocked.Exchange(ref _closed, 0);
        return false;
    }

    /// <summary>Closes the gate whatever is open (an explicit pause).</summary>
    public void Close() => Interlocked.Exchange(ref _closed, 1);

    /// <summary>Opens the gate again after a pause that did not happen.</summary>
    public void Open() => Interlocked.Exchange(ref _closed, 0);

    public void MarkPaused(DateTimeOffset now) => Interlocked.Exchange(ref _pausedAtTicks, now.UtcTicks);

    /// <summary>The instance runs again: resuming counts as activity, so it gets a full idle period.</summary>
    public void Resumed(DateTimeOffset now)
    {
        Interlocked.Exchange(ref _pausedAtTicks, 0);
        Touch(now);
        Open();
    }

    private void Touch(DateTimeOffset now) => Interlocked.Exchange(ref _lastActivityTicks, now.UtcTicks);
}
