using Famiglia.AgentSdk.Protocol;

namespace Famiglia.AgentSdk.Tests.Protocol;

/// <summary>The JSON-RPC layer, through the agent: id matching, cancellation, unknown methods, bad lines, line limit.</summary>
public sealed class JsonRpcConnectionTests
{
    [Fact]
    public async Task ResponsesOutOfOrder_AreMatchedById()
    {
        await using var peer = new HarnessPeer();
        await peer.StartAgentAsync();

        var first = peer.Agent.Canvas.BumpVersionAsync();
        var firstRequest = await peer.ExpectRequestAsync("canvas.bumpVersion");
        var second = peer.Agent.Canvas.BumpVersionAsync();
        var secondRequest = await peer.ExpectRequestAsync("canvas.bumpVersion");
        await peer.RespondAsync(secondRequest, """{"version":2}""");
        await peer.RespondAsync(firstRequest, """{"version":1}""");

        Assert.NotEqual(firstRequest.GetProperty("id").GetInt64(), secondRequest.GetProperty("id").GetInt64());
        Assert.Equal(1, await first.WaitAsync(HarnessPeer.Timeout));
        Assert.Equal(2, await second.WaitAsync(HarnessPeer.Timeout));
    }

    [Fact]
    public async Task CancellingARequest_ForgetsIt_AndALateAnswerIsIgnored()
    {
        await using var peer = new HarnessPeer();
        await peer.StartAgentAsync();
        using var cancellation = new CancellationTokenSource();

        var cancelled = peer.Agent.Canvas.BumpVersionAsync(cancellation.Token);
        var cancelledRequest = await peer.ExpectRequestAsync("canvas.bumpVersion");
        await cancellation.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled.WaitAsync(HarnessPeer.Timeout));
        await peer.RespondAsync(cancelledRequest, """{"version":1}""");
        var next = peer.Agent.Canvas.BumpVersionAsync();
        await peer.RespondAsync(await peer.ExpectRequestAsync("canvas.bumpVersion"), """{"version":2}""");

        Assert.Equal(2, await next.WaitAsync(HarnessPeer.Timeout));
        Assert.Contains($"no pending request (id {cancelledRequest.GetProperty("id").GetInt64()})", peer.Log);
    }

    [Fact]
    public async Task AlreadyCancelledToken_SendsNothing()
    {
        await using var peer = new HarnessPeer();
        await peer.StartAgentAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => peer.Agent.SayAsync("never", new CancellationToken(canceled: true)));
        var next = peer.Agent.Canvas.BumpVersionAsync();
        await peer.RespondAsync(await peer.ExpectRequestAsync("canvas.bumpVersion"), """{"version":3}""");

        Assert.Equal(3, await next.WaitAsync(HarnessPeer.Timeout));
    }

    [Fact]
    public async Task UnknownRequest_IsAnsweredWithMethodNotFound_AndUnknownNotificationIsIgnored()
    {
        await using var peer = new HarnessPeer();
        await peer.StartAgentAsync();

        await peer.SendAsync("""{"jsonrpc":"2.0","method":"future.notification","params":{}}""");
        await peer.SendAsync("""{"jsonrpc":"2.0","id":"r-1","method":"future.request","params":{}}""");

        var answer = await peer.ReadAsync();
        Assert.Equal("r-1", answer.GetProperty("id").GetString());
        Assert.Equal(FamigliaErrorCodes.MethodNotFound, answer.GetProperty("error").GetProperty("code").GetInt32());
    }

    [Fact]
    public async Task LinesThatAreNotJsonObjects_AreLoggedAndSkipped()
    {
        await using var peer = new HarnessPeer();
        peer.Agent.OnMessage(_ => Task.CompletedTask);
        await peer.StartAgentAsync();

        await peer.SendAsync("this is not json");
        await peer.SendAsync("[1,2,3]");
        await peer.SendAsync("");
        await peer.SendMessageAsync("m-1", "still alive");

        await peer.ExpectNullResultAsync("m-1");
        Assert.Contains("not a JSON object", peer.Log);
        Assert.Contains("ignored a line from the harness", peer.Log);
    }

    [Fact]
    public async Task ARequestLongerThanTheLineLimit_IsRefusedWithoutSendingAnything()
    {
        await using var peer = new HarnessPeer();
        await peer.StartAgentAsync();

        var tooLarge = new byte[(JsonRpcConnection.MaxLineBytes / 4 * 3) + 1];
        var error = await Assert.ThrowsAsync<FamigliaAgentException>(() => peer.Agent.Canvas.WriteAsync("big.bin", tooLarge));
        var next = peer.Agent.Canvas.BumpVersionAsync();
        await peer.RespondAsync(await peer.ExpectRequestAsync("canvas.bumpVersion"), """{"version":1}""");

        Assert.Equal(FamigliaErrorCodes.InvalidRequest, error.Code);
        Assert.Equal(1, await next.WaitAsync(HarnessPeer.Timeout));
    }

    [Fact]
    public async Task AnAnswerWithoutResult_Fails()
    {
        await using var peer = new HarnessPeer();
        await peer.StartAgentAsync();

        var bump = peer.Agent.Canvas.BumpVersionAsync();
        var request = await peer.ExpectRequestAsync("canvas.bumpVersion");
        await peer.SendAsync($$"""{"jsonrpc":"2.0","id":{{request.GetProperty("id").GetRawText()}},"result":null}""");

        var error = await Assert.ThrowsAsync<FamigliaAgentException>(() => bump.WaitAsync(HarnessPeer.Timeout));
        Assert.Equal(FamigliaErrorCodes.InternalError, error.Code);
    }

    [Fact]
    public async Task AnErrorWithoutData_KeepsCodeAndMessage()
    {
        await using var peer = new HarnessPeer();
        await peer.StartAgentAsync();

        var say = peer.Agent.SayAsync("hello");
        var request = await peer.ExpectRequestAsync("say");
        await peer.SendAsync($$$"""{"jsonrpc":"2.0","id":{{{request.GetProperty("id").GetRawText()}}},"error":{"code":-32001,"message":"Not in the room"}}""");

        var error = await Assert.ThrowsAsync<FamigliaAgentException>(() => say.WaitAsync(HarnessPeer.Timeout));
        Assert.Equal(FamigliaErrorCodes.NotInRoom, error.Code);
        Assert.Equal("Not in the room", error.Message);
        Assert.Null(error.Field);
    }
}
