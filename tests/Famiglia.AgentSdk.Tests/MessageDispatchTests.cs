using System.Collections.Concurrent;

namespace Famiglia.AgentSdk.Tests;

/// <summary><c>message</c> requests: handler, acknowledgement, failures, order, the agent's own messages.</summary>
public sealed class MessageDispatchTests
{
    [Fact]
    public async Task Message_RunsTheHandler_ThenIsAnsweredWithNullResultAndTheSameId()
    {
        await using var peer = new HarnessPeer();
        var received = new TaskCompletionSource<AgentMessage>();
        peer.Agent.OnMessage(msg =>
        {
            received.SetResult(msg);
            return Task.CompletedTask;
        });
        await peer.StartAgentAsync();

        await peer.SendMessageAsync("m-17", "Build me a photo library", thread: HarnessPeer.DocumentThread);

        await peer.ExpectNullResultAsync("m-17");
        var message = await received.Task.WaitAsync(HarnessPeer.Timeout);
        Assert.Equal("1732612345678901", message.Id);
        Assert.Equal("@u:alice@dev1.localhost", message.From);
        Assert.Equal("Build me a photo library", message.Body);
        Assert.Equal(HarnessPeer.DocumentThread, message.Thread);
        Assert.Equal(new DateTimeOffset(2026, 11, 26, 9, 30, 0, TimeSpan.Zero), message.Timestamp);
        Assert.Equal(HarnessPeer.Room, message.Room);
    }

    [Fact]
    public async Task Message_WithNumericRequestId_IsAnsweredWithTheSameNumber()
    {
        await using var peer = new HarnessPeer();
        peer.Agent.OnMessage(_ => Task.CompletedTask);
        await peer.StartAgentAsync();

        await peer.SendAsync("""{"jsonrpc":"2.0","id":42,"method":"message","params":{"id":"x","from":"@u:bob@d","body":"hi","thread":null,"timestamp":"2026-11-26T09:30:00Z","room":"r"}}""");

        var answer = await peer.ReadAsync();
        Assert.Equal(42, answer.GetProperty("id").GetInt32());
    }

    [Fact]
    public async Task HandlerThrows_MessageIsStillAnswered_ErrorIsLogged_AndTheNextMessageIsHandled()
    {
        await using var peer = new HarnessPeer();
        var handled = new ConcurrentQueue<string>();
        peer.Agent.OnMessage(msg =>
        {
            handled.Enqueue(msg.Body);
            return msg.Body == "boom" ? throw new InvalidDataException("handler exploded") : Task.CompletedTask;
        });
        await peer.StartAgentAsync();

        await peer.SendMessageAsync("m-1", "boom", messageId: "boom-id");
        await peer.SendMessageAsync("m-2", "fine");

        await peer.ExpectNullResultAsync("m-1");
        await peer.ExpectNullResultAsync("m-2");
        Assert.Equal(["boom", "fine"], handled);
        Assert.Contains("message handler failed for message boom-id", peer.Log);
        Assert.Contains("System.IO.InvalidDataException: handler exploded", peer.Log);
        Assert.Contains(nameof(HandlerThrows_MessageIsStillAnswered_ErrorIsLogged_AndTheNextMessageIsHandled), peer.Log); // the stack
    }

    [Fact]
    public async Task AsyncHandlerThrows_MessageIsStillAnswered()
    {
        await using var peer = new HarnessPeer();
        peer.Agent.OnMessage(async _ =>
        {
            await Task.Yield();
            throw new TimeoutException("late failure");
        });
        await peer.StartAgentAsync();

        await peer.SendMessageAsync("m-1", "hello");

        await peer.ExpectNullResultAsync("m-1");
        Assert.Contains("System.TimeoutException: late failure", peer.Log);
    }

    [Fact]
    public async Task HundredMessages_AreHandledOneAtATimeInOrder_AndAnsweredInOrder()
    {
        await using var peer = new HarnessPeer();
        var handled = new List<string>();
        var running = 0;
        var overlapped = false;
        peer.Agent.OnMessage(async msg =>
        {
            overlapped |= Interlocked.Increment(ref running) > 1;
            await Task.Yield();
            handled.Add(msg.Body);
            Interlocked.Decrement(ref running);
        });
        await peer.StartAgentAsync();

        for (var i = 0; i < 100; i++)
        {
            await peer.SendMessageAsync($"m-{i}", $"message {i}");
        }

        for (var i = 0; i < 100; i++)
        {
            await peer.ExpectNullResultAsync($"m-{i}");
        }

        Assert.Equal(Enumerable.Range(0, 100).Select(i => $"message {i}"), handled);
        Assert.False(overlapped);
    }

    [Fact]
    public async Task OwnMessages_NeverReachTheHandler_ButAreAnswered()
    {
        await using var peer = new HarnessPeer();
        var handled = new ConcurrentQueue<string>();
        peer.Agent.OnMessage(msg =>
        {
            handled.Enqueue(msg.Body);
            return Task.CompletedTask;
        });
        await peer.StartAgentAsync();

        await peer.SendMessageAsync("m-1", "my own words", from: HarnessPeer.Nick);
        await peer.SendMessageAsync("m-2", "from alice");

        await peer.ExpectNullResultAsync("m-1");
        await peer.ExpectNullResultAsync("m-2");
        Assert.Equal(["from alice"], handled);
    }

    [Fact]
    public async Task MessagesSentBeforeReadyIsAnswered_AreHandledAfterStart()
    {
        await using var peer = new HarnessPeer();
        var handled = new ConcurrentQueue<string>();
        peer.Agent.OnMessage(msg =>
        {
            handled.Enqueue(msg.Body);
            return Task.CompletedTask;
        });
        var start = peer.Agent.StartAsync();
        var ready = await peer.ExpectRequestAsync("ready");

        await peer.RespondAsync(ready, HarnessPeer.IdentityJson);
        await peer.SendMessageAsync("m-1", "right after ready");
        await start.WaitAsync(HarnessPeer.Timeout);

        await peer.ExpectNullResultAsync("m-1");
        Assert.Equal(["right after ready"], handled);
    }

    [Fact]
    public async Task EveryHandler_SeesEveryMessage_UntilItsRegistrationIsDisposed()
    {
        await using var peer = new HarnessPeer();
        var seen = new ConcurrentQueue<string>();
        peer.Agent.OnMessage(msg =>
        {
            seen.Enqueue("first:" + msg.Body);
            return Task.CompletedTask;
        });
        var second = peer.Agent.OnMessage(msg =>
        {
            seen.Enqueue("second:" + msg.Body);
            return Task.CompletedTask;
        });
        await peer.StartAgentAsync();

        await peer.SendMessageAsync("m-1", "a");
        await peer.ExpectNullResultAsync("m-1");
        second.Dispose();
        await peer.SendMessageAsync("m-2", "b");
        await peer.ExpectNullResultAsync("m-2");

        Assert.Equal(["first:a", "second:a", "first:b"], seen);
    }

    [Fact]
    public async Task MessageWithoutBody_IsRefusedWithInvalidParams()
    {
        await using var peer = new HarnessPeer();
        peer.Agent.OnMessage(_ => Task.CompletedTask);
        await peer.StartAgentAsync();

        await peer.SendAsync("""{"jsonrpc":"2.0","id":"m-1","method":"message","params":{"id":"x","from":"@u:bob@d"}}""");

        var answer = await peer.ReadAsync();
        Assert.Equal("m-1", answer.GetProperty("id").GetString());
        Assert.Equal(FamigliaErrorCodes.InvalidParams, answer.GetProperty("error").GetProperty("code").GetInt32());
        Assert.Equal("body", answer.GetProperty("error").GetProperty("data").GetProperty("field").GetString());
    }
}
