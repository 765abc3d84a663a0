using Microsoft.Extensions.Logging;

namespace Famiglia.Xmpp;

/// <summary>Runs callbacks one at a time, in order, off the read loop. A callback that throws is logged
/// and the next one runs; a slow one delays only the callbacks queued behind it.</summary>
/// <remarks>A mailbox: posting to an idle dispatcher schedules one run, which takes callbacks until the mailbox is
/// empty. A run starts on the <see cref="HandlerThread"/> when that thread is idle, else on the thread pool;
/// a callback that returns an unfinished task ends the run's use of its thread, and the run goes on where the task
/// completes.</remarks>
internal sealed class SerialDispatcher : IThreadPoolWorkItem, IAsyncDisposable
{
    private readonly Queue<Func<Task>> _work = new();
    private readonly HandlerThread _thread;
    private readonly ILogger _logger;
    private readonly string _name;
    private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _scheduled;
    private bool _completed;

    public SerialDispatcher(string name, HandlerThread thread, ILogger logger)
    {
        _name = name;
        _thread = thread;
        _logger = logger;
    }

    public void Post(Func<Task> work)
    {
        lock (_work)
        {
            if (_completed)
            {
                return;
            }

            _work.Enqueue(work);
            if (_scheduled)
            {
                return;
            }

            _scheduled = true;
        }

        _thread.Schedule(this);
    }

    /// <summary>Runs what was posted before, then stops taking callbacks.</summary>
    public async ValueTask DisposeAsync()
    {
        lock (_work)
        {
            _completed = true;
            if (!_scheduled)
            {
                _drained.TrySetResult();
            }
        }

        await _drained.Task;
    }

    void IThreadPoolWorkItem.Execute() => Run();

    /// <summary>Takes callbacks until the mailbox is empty or one returns an unfinished task.</summary>
    internal void Run()
    {
        while (TryTake(out var work))
        {
            Task task;
            try
            {
                task = work();
            }
            catch (Exception ex)
            {
                XmppLog.HandlerFailed(_logger, _name, ex);
                continue;
            }

            if (!task.IsCompleted)
            {
                // Continue where the callback completes; this thread goes back to whoever lent it.
                task.ConfigureAwait(false).GetAwaiter().UnsafeOnCompleted(() =>
                {
                    Observe(task);
                    Run();
                });
                return;
            }

            Observe(task);
        }
    }

    private void Observe(Task task)
    {
        if (task.IsFaulted)
        {
            XmppLog.HandlerFailed(_logger, _name, task.Exception.InnerExceptions.Count == 1 ? task.Exception.InnerException! : task.Exception);
        }
    }

    private bool TryTake(out Func<Task> work)
    {
        lock (_work)
        {
            if (_work.TryDequeue(out work!))
            {
                return true;
            }

            _scheduled = false;
            if (_completed)
            {
                _drained.TrySetResult();
            }

            return false;
        }
    }
}
