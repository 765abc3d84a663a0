namespace Famiglia.Xmpp;

/// <summary>A thread that runs the handlers' dispatchers while it is free, so that handing a received stanza to its
/// handler does not wake a thread-pool worker. The clients of a process share one (<see cref="Shared"/>).</summary>
/// <remarks>
/// <para>Why: a thread-pool worker that runs out of work spins (<c>sched_yield</c>) before it sleeps. During a burst
/// the read loop hands work off in small batches, and the spinning after each one was about 40 % of the client's CPU
/// (bench/RESULTS.md). This thread blocks without spinning when it has nothing to do.</para>
/// <para>It never makes a dispatcher wait: a dispatcher is given to it only when it is idle; otherwise, or after
/// <see cref="Dispose"/>, the dispatcher runs on the thread pool. So a handler that blocks this thread for seconds
/// holds up only its own room (whose callbacks are serial anyway); the next room to get a message runs on the pool.
/// A handler that awaits gives the thread back at its first unfinished await. Because it never makes anyone wait, one
/// thread serves every client of the process (famiglia-web has one client per signed-in person); while it is busy with
/// one client's handlers, the others' run on the thread pool as before.</para>
/// </remarks>
internal sealed class HandlerThread : IDisposable
{
    private readonly object _gate = new();
    private readonly string _name;
    private Thread? _thread;
    private SerialDispatcher? _next;
    private bool _idle;
    private bool _disposed;

    public HandlerThread(string name) => _name = name;

    /// <summary>The process's handler thread, started on first use; a background thread that lives with the process.</summary>
    public static HandlerThread Shared { get; } = new("xmpp handlers");

    public void Schedule(SerialDispatcher dispatcher)
    {
        lock (_gate)
        {
            if (_thread is null && !_disposed)
            {
                _thread = new Thread(Loop) { IsBackground = true, Name = _name };
                _thread.UnsafeStart();
                _next = dispatcher;
                return;
            }

            if (_idle && _next is null && !_disposed)
            {
                _next = dispatcher;
                Monitor.Pulse(_gate);
                return;
            }
        }

        ThreadPool.UnsafeQueueUserWorkItem(dispatcher, preferLocal: false);
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            Monitor.Pulse(_gate);
        }
    }

    private void Loop()
    {
        while (true)
        {
            SerialDispatcher next;
            lock (_gate)
            {
                while (_next is null)
                {
                    if (_disposed)
                    {
                        return;
                    }

                    _idle = true;
                    Monitor.Wait(_gate);
                    _idle = false;
                }

                next = _next;
                _next = null;
            }

            next.Run();
        }
    }
}
