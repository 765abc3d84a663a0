namespace Aegis.Sandbox.Bubblewrap;

/// <summary>
/// A bwrap sandbox started from a template, its placeholder blocked reading the slot's FIFO, whose write end this holds:
/// the open succeeded only once the placeholder runs, i.e. once bwrap has built the sandbox's mounts, so what the claim
/// mounts onto the slot afterwards arrives in the finished sandbox with its own flags (mounted during bwrap's setup, it
/// would be caught in bwrap's recursive read-only binds).
/// </summary>
internal sealed class PreparedBubblewrapSandbox : IPreparedSandbox
{
    /// <summary>How long the placeholder may take to open the FIFO (it does so as soon as bwrap has set up the sandbox).</summary>
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(10);

    private readonly SandboxTemplate _template;
    private readonly BubblewrapSandbox _sandbox;
    private readonly PreparedSlot _slot;
    private readonly BubblewrapOptions _options;
    private readonly FileStream _start;
    private int _claimed;

    private PreparedBubblewrapSandbox(SandboxTemplate template, BubblewrapSandbox sandbox, PreparedSlot slot, BubblewrapOptions options, FileStream start)
    {
        _template = template;
        _sandbox = sandbox;
        _slot = slot;
        _options = options;
        _start = start;
    }

    public string Id => _sandbox.Id;

    public SandboxTemplate Template => _template;

    public Task<SandboxExit> Exited => _sandbox.Exited;

    /// <summary>Waits for <paramref name="sandbox"/>'s placeholder to open the FIFO; ends the sandbox when it does not.</summary>
    public static async Task<PreparedBubblewrapSandbox> WhenReadyAsync(
        SandboxTemplate template, BubblewrapSandbox sandbox, PreparedSlot slot, BubblewrapOptions options, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        // Opening a FIFO for writing blocks until a reader opens it: a thread of its own.
        var open = Task.Run(() => new FileStream(slot.Fifo, FileMode.Open, FileAccess.Write, FileShare.ReadWrite, bufferSize: 0), CancellationToken.None);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(ReadyTimeout);
        var finished = await Task.WhenAny(open, sandbox.Exited, Task.Delay(Timeout.InfiniteTimeSpan, timeProvider, timeout.Token));
        if (finished == open && open.IsCompletedSuccessfully)
        {
            return new PreparedBubblewrapSandbox(template, sandbox, slot, options, await open);
        }

        // A reader opened here without blocking releases the waiting open, so no thread stays stuck in it.
        var reader = NativeMethods.Open(slot.Fifo, NativeMethods.OpenReadOnly | NativeMethods.OpenNonBlocking);
        try
        {
            await (await open).DisposeAsync();
        }
        catch (IOException)
        {
            // The open failed: nothing to close.
        }
        finally
        {
            if (reader >= 0)
            {
                NativeMethods.Close(reader);
            }
        }

        await sandbox.TerminateAsync(TimeSpan.Zero, CancellationToken.None);
        await sandbox.DisposeAsync();
        cancellationToken.ThrowIfCancellationRequested();
        throw new SandboxException(sandbox.Exited.IsCompleted && finished == sandbox.Exited
            ? $"Prepared sandbox {sandbox.Id} ended before its placeholder ran; see its log"
            : $"Prepared sandbox {sandbox.Id}: its placeholder did not start within {ReadyTimeout.TotalSeconds} s");
    }

    public async Task<ISandbox> ClaimAsync(SandboxSpec spec, CancellationToken cancellationToken = default)
    {
        if (_template.Mismatch(spec) is { } mismatch)
        {
            throw new ArgumentException($"This spec cannot claim prepared sandbox {Id}: {mismatch}", nameof(spec));
        }

        BubblewrapBackend.Validate(spec);
        var script = PreparedSlot.StartScript(spec);
        if (Interlocked.Exchange(ref _claimed, 1) != 0)
        {
            throw new InvalidOperationException($"Prepared sandbox {Id} was claimed already");
        }

        try
        {
            if (_sandbox.Exited.IsCompleted)
            {
                var exit = await _sandbox.Exited;
                throw new SandboxException($"Prepared sandbox {Id} ended before it was claimed ({exit.ReasonCode}, code {exit.ExitCode})");
            }

            var canvas = spec.CanvasDirectory ?? Path.Combine(spec.WorkspaceDirectory, "canvas");
            Directory.CreateDirectory(canvas);
            SandboxMounts.Bind(spec.WorkspaceDirectory, _slot.Workspace, readOnly: false);
            SandboxMounts.Bind(canvas, _slot.Canvas, readOnly: false);
            if (spec is { ReleaseDirectory: { } release, InstanceLayerDirectory: { } layer })
            {
                SandboxMounts.MountOverlay(release, layer, _slot.Agent);
            }
            else if (spec.ReleaseDirectory is { } readOnlyRelease)
            {
                SandboxMounts.BindReadOnlyInto(readOnlyRelease, _slot.Agent, _slot.Staging);
            }

            // The placeholder reads until the end of the script, then runs it: exec of the app's command.
            await _start.WriteAsync(script, cancellationToken);
            await _start.DisposeAsync();
            return _sandbox;
        }
        catch (Exception exception)
        {
            // Closing the FIFO unwritten makes the placeholder source nothing and exit: no app code ran.
            await _start.DisposeAsync().AsTask().ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            await _sandbox.TerminateAsync(TimeSpan.Zero, CancellationToken.None);
            if (exception is SandboxException or OperationCanceledException)
            {
                throw;
            }

            throw new SandboxException($"Could not claim prepared sandbox {Id}: {exception.Message}", exception);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _claimed, 1) == 0)
        {
            await _start.DisposeAsync();
            await _sandbox.TerminateAsync(_options.DisposeGrace);
            await _sandbox.DisposeAsync();
        }
    }
}
