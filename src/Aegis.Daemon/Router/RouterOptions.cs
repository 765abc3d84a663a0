namespace Aegis.Daemon.Router;

/// <summary>The router's settings (section "Aegis:Router").</summary>
public sealed record RouterOptions
{
    /// <summary>Who may frame a <c>ui: true</c> port: the <c>frame-ancestors</c> of its Content-Security-Policy (Famiglia's origin).</summary>
    public string FrameAncestors { get; init; } = "http://localhost:3000";

    /// <summary>How long a request waits for its app to wake (boot, resume, restore) before it gets a 503.</summary>
    public TimeSpan WakeTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The <c>Retry-After</c> of a 503.</summary>
    public TimeSpan RetryAfter { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How long a proxied request (or WebSocket) may go without a byte either way before it is cut.</summary>
    public TimeSpan ActivityTimeout { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Whether reads on the router's sockets (to the sandboxes, and the connections people open to aegisd)
    /// continue on the socket event thread instead of a thread-pool worker: more requests per second through the
    /// router for less CPU (bench/RESULTS.md). Request handlers still run on the thread pool.</summary>
    public bool InlineSocketCompletions { get; init; } = true;

    /// <summary>How long connecting to a sandbox may take.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(5);
}
