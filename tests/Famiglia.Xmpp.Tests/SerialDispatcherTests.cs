namespace Famiglia.Xmpp.Tests;

/// <summary>The dispatchers that run handlers, and the per-client thread they borrow while it is idle.</summary>
public class SerialDispatcherTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Callbacks_run_in_order_whether_they_finish_at_once_or_later()
    {
        using var thread = new HandlerThread("test handlers");
        using var logs = new CapturingLoggerProvider();
        var dispatcher = new SerialDispatcher("room", thread, logs.CreateLogger("test"));
        var seen = new List<int>();
        for (var i = 0; i < 500; i++)
        {
            var n = i;
            dispatcher.Post(async () =>
            {
                if (n % 7 == 0)
                {
                    await Task.Yield(); // continues on the thread pool; the next callback must still wait for it
                }

                if (n % 11 == 0)
                {
                    await Task.Delay(1);
                }

                lock (seen)
                {
                    seen.Add(n);
                }
            });
        }

        await dispatcher.DisposeAsync().AsTask().WaitAsync(Timeout);
        Assert.Equal(Enumerable.Range(0, 500), seen);
    }

    [Fact]
    public async Task A_callback_that_blocks_the_handler_thread_holds_up_only_its_own_dispatcher()
    {
        using var thread = new HandlerThread("test handlers");
        using var logs = new CapturingLoggerProvider();
        var logger = logs.CreateLogger("test");
        var blocked = new SerialDispatcher("blocked room", thread, logger);
        var other = new SerialDispatcher("other room", thread, logger);
        using var release = new ManualResetEventSlim();
        var blocking = new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously);
        blocked.Post(() =>
        {
            blocking.TrySetResult(Thread.CurrentThread.Name);
            release.Wait(Timeout); // blocks its thread, not awaiting
            return Task.CompletedTask;
        });
        Assert.Equal("test handlers", await blocking.Task.WaitAsync(Timeout)); // the idle handler thread took it

        var ran = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        blocked.Post(() => Task.CompletedTask);
        other.Post(() =>
        {
            ran.TrySetResult();
            return Task.CompletedTask;
        });
        await ran.Task.WaitAsync(Timeout); // on the thread pool, while the handler thread is still blocked
        Assert.False(release.IsSet);

        release.Set();
        await blocked.DisposeAsync().AsTask().WaitAsync(Timeout);
        await other.DisposeAsync().AsTask().WaitAsync(Timeout);
    }

    [Fact]
    public async Task A_failing_callback_is_logged_and_the_next_one_runs()
    {
        using var thread = new HandlerThread("test handlers");
        using var logs = new CapturingLoggerProvider();
        var dispatcher = new SerialDispatcher("room", thread, logs.CreateLogger("test"));
        var ran = 0;
        dispatcher.Post(() => throw new InvalidOperationException("thrown at once"));
        dispatcher.Post(async () =>
        {
            await Task.Yield();
            throw new InvalidOperationException("thrown after an await");
        });
        dispatcher.Post(() =>
        {
            Interlocked.Increment(ref ran);
            return Task.CompletedTask;
        });

        await dispatcher.DisposeAsync().AsTask().WaitAsync(Timeout);
        Assert.Equal(1, ran);
        Assert.Contains(logs.Lines, line => line.Contains("thrown at once", StringComparison.Ordinal));
        Assert.Contains(logs.Lines, line => line.Contains("thrown after an await", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Dispose_runs_what_was_posted_and_then_takes_nothing_more()
    {
        using var thread = new HandlerThread("test handlers");
        using var logs = new CapturingLoggerProvider();
        var dispatcher = new SerialDispatcher("room", thread, logs.CreateLogger("test"));
        var ran = 0;
        for (var i = 0; i < 10; i++)
        {
            dispatcher.Post(async () =>
            {
                await Task.Delay(5);
                Interlocked.Increment(ref ran);
            });
        }

        await dispatcher.DisposeAsync().AsTask().WaitAsync(Timeout);
        Assert.Equal(10, ran);

        dispatcher.Post(() =>
        {
            Interlocked.Increment(ref ran);
            return Task.CompletedTask;
        });
        await Task.Delay(50);
        Assert.Equal(10, ran);
    }
}
