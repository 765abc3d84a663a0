namespace Famiglia.AgentSdk.Tests;

/// <summary>Lifecycle: the ready handshake, shutdown, end of stdin and stop.</summary>
public sealed class FamigliaAgentTests
{
    [Fact]
    public async Task StartAsync_SendsReady_AndStoresTheIdentity()
    {
        await using var peer = new HarnessPeer();

        var ready = await peer.StartAgentAsync();

        Assert.Equal(FamigliaAgent.SdkName, ready.GetProperty("params").GetProperty("sdk").GetString());
        Assert.Equal(
            new AgentIdentity(HarnessPeer.Nick, HarnessPeer.Room, HarnessPeer.DocumentThread, "grp_1", "room_1", "/canvas", "/workspace"),
            peer.Agent.Identity);
    }

    [Fact]
    public async Task Identity_BeforeStart_Throws()
    {
        await using var peer = new HarnessPeer();

        Assert.Throws<InvalidOperationException>(() => peer.Agent.Identity);
        await Assert.ThrowsAsync<InvalidOperationException>(() => peer.Agent.SayAsync("too early"));
    }

    [Fact]
    public async Task StartAsync_Twice_Throws()
    {
        await using var peer = new HarnessPeer();
        await peer.StartAgentAsync();

        await Assert.ThrowsAsync<InvalidOperationException>(() => peer.Agent.StartAsync());
    }

    [Fact]
    public async Task StartAsync_WhenStdinEndsBeforeReadyIsAnswered_Fails()
    {
        await using var peer = new HarnessPeer();
        var start = peer.Agent.StartAsync();
        await peer.ExpectRequestAsync("ready");

        await peer.CloseInputAsync();

        await Assert.ThrowsAsync<IOException>(() => start.WaitAsync(HarnessPeer.Timeout));
    }

    [Fact]
    public async Task Shutdown_CancelsStopping_AndRunAsyncReturns()
    {
        await using var peer = new HarnessPeer();
        var stopping = new TaskCompletionSource();
        peer.Agent.Stopping.Register(() => stopping.TrySetResult());
        var run = peer.Agent.RunAsync();
        await peer.RespondAsync(await peer.ExpectRequestAsync("ready"), HarnessPeer.IdentityJson);

        await peer.SendShutdownAsync();

        await stopping.Task.WaitAsync(HarnessPeer.Timeout);
        await run.WaitAsync(HarnessPeer.Timeout);
        Assert.True(peer.Agent.Stopping.IsCancellationRequested);
        Assert.Contains("shutdown requested", peer.Log);
    }

    [Fact]
    public async Task EndOfStdin_StopsTheAgent_AndRunAsyncReturns()
    {
        await using var peer = new HarnessPeer();
        var run = peer.Agent.RunAsync();
        await peer.RespondAsync(await peer.ExpectRequestAsync("ready"), HarnessPeer.IdentityJson);

        await peer.CloseInputAsync();

        await run.WaitAsync(HarnessPeer.Timeout);
        Assert.True(peer.Agent.Stopping.IsCancellationRequested);
    }

    [Fact]
    public async Task RunAsync_WhenCancelled_StopsAndReturns()
    {
        await using var peer = new HarnessPeer();
        using var cancellation = new CancellationTokenSource();
        var run = peer.Agent.RunAsync(cancellation.Token);
        await peer.RespondAsync(await peer.ExpectRequestAsync("ready"), HarnessPeer.IdentityJson);

        await cancellation.CancelAsync();

        await run.WaitAsync(HarnessPeer.Timeout);
        Assert.True(peer.Agent.Stopping.IsCancellationRequested);
    }

    [Fact]
    public async Task Shutdown_LetsTheRunningHandlerFinish_AndLeavesQueuedMessagesUnanswered()
    {
        await using var peer = new HarnessPeer();
        var first = new TaskCompletionSource();
        var release = new TaskCompletionSource();
        var handled = new List<string>();
        peer.Agent.OnMessage(async msg =>
        {
            handled.Add(msg.Body);
            first.TrySetResult();
            await release.Task;
        });
        var run = peer.Agent.RunAsync();
        await peer.RespondAsync(await peer.ExpectRequestAsync("ready"), HarnessPeer.IdentityJson);
        await peer.SendMessageAsync("m-1", "first");
        await peer.SendMessageAsync("m-2", "second");
        await first.Task.WaitAsync(HarnessPeer.Timeout);

        await peer.SendShutdownAsync();
        await peer.SendAsync("""{"jsonrpc":"2.0","id":"probe","method":"no.such.method"}""");
        await peer.ReadAsync(); // the probe's error: the shutdown has been read
        release.SetResult();

        await peer.ExpectNullResultAsync("m-1");
        await run.WaitAsync(HarnessPeer.Timeout);
        Assert.Equal(["first"], handled);
    }

    [Fact]
    public async Task StopAsync_FromInsideAHandler_DoesNotWaitForItself()
    {
        await using var peer = new HarnessPeer();
        var stopReturned = new TaskCompletionSource();
        peer.Agent.OnMessage(async msg =>
        {
            await peer.Agent.StopAsync();
            stopReturned.SetResult();
        });
        await peer.StartAgentAsync();

        await peer.SendMessageAsync("m-1", "please stop");

        await stopReturned.Task.WaitAsync(HarnessPeer.Timeout);
        await peer.ExpectNullResultAsync("m-1");
        await peer.Agent.StopAsync().WaitAsync(HarnessPeer.Timeout);
        Assert.True(peer.Agent.Stopping.IsCancellationRequested);
    }

    [Fact]
    public async Task AfterStop_SendingThrows()
    {
        await using var peer = new HarnessPeer();
        await peer.StartAgentAsync();

        await peer.Agent.StopAsync().WaitAsync(HarnessPeer.Timeout);

        await Assert.ThrowsAsync<InvalidOperationException>(() => peer.Agent.SayAsync("too late"));
    }

    [Fact]
    public async Task PendingRequest_WhenStdinEnds_FailsWithIOException()
    {
        await using var peer = new HarnessPeer();
        await peer.StartAgentAsync();
        var group = peer.Agent.Api.GroupAsync();
        await peer.ExpectRequestAsync("api.group");

        await peer.CloseInputAsync();

        await Assert.ThrowsAsync<IOException>(() => group.WaitAsync(HarnessPeer.Timeout));
    }

    [Fact]
    public async Task ShutdownAsARequest_IsAnswered()
    {
        await using var peer = new HarnessPeer();
        await peer.StartAgentAsync();

        await peer.SendAsync("""{"jsonrpc":"2.0","id":"s-1","method":"shutdown","params":{"graceSeconds":2}}""");

        await peer.ExpectNullResultAsync("s-1");
        Assert.True(peer.Agent.Stopping.IsCancellationRequested);
    }
}
