using System.Text.Json;

namespace Famiglia.AgentSdk.Tests;

/// <summary><c>say</c>, <c>announce</c> and replies.</summary>
public sealed class ChatTests
{
    [Fact]
    public async Task SayAsync_SendsSayWithoutThread_AndReturnsTheOriginId()
    {
        await using var peer = new HarnessPeer();
        await peer.StartAgentAsync();

        var say = peer.Agent.SayAsync("Gallery is ready.");
        var request = await peer.ExpectRequestAsync("say");
        await peer.RespondAsync(request, """{"id":"origin-1"}""");

        Assert.Equal("origin-1", await say.WaitAsync(HarnessPeer.Timeout));
        var parameters = request.GetProperty("params");
        Assert.Equal("Gallery is ready.", parameters.GetProperty("text").GetString());
        Assert.False(parameters.TryGetProperty("thread", out _));
    }

    [Fact]
    public async Task AnnounceAsync_SendsAnnounce()
    {
        await using var peer = new HarnessPeer();
        await peer.StartAgentAsync();

        var announce = peer.Agent.AnnounceAsync("Hello, room!");
        var request = await peer.ExpectRequestAsync("announce");
        await peer.RespondAsync(request, """{"id":"origin-2"}""");

        Assert.Equal("origin-2", await announce.WaitAsync(HarnessPeer.Timeout));
        Assert.Equal("""{"text":"Hello, room!"}""", request.GetProperty("params").GetRawText());
    }

    [Fact]
    public async Task ReplyAsync_ToAThreadMessage_SaysIntoThatThread()
    {
        await using var peer = new HarnessPeer();
        peer.Agent.OnMessage(msg => msg.ReplyAsync("echo: " + msg.Body));
        await peer.StartAgentAsync();

        await peer.SendMessageAsync("m-1", "hi", thread: "other_thread");

        var request = await peer.ExpectRequestAsync("say");
        Assert.Equal("echo: hi", request.GetProperty("params").GetProperty("text").GetString());
        Assert.Equal("other_thread", request.GetProperty("params").GetProperty("thread").GetString());
        await peer.RespondAsync(request, """{"id":"o-1"}""");
        await peer.ExpectNullResultAsync("m-1");
    }

    [Fact]
    public async Task ReplyAsync_ToAMainChatMessage_Announces()
    {
        await using var peer = new HarnessPeer();
        peer.Agent.OnMessage(msg => msg.ReplyAsync("echo: " + msg.Body));
        await peer.StartAgentAsync();

        await peer.SendMessageAsync("m-1", "hi", thread: null);

        var request = await peer.ExpectRequestAsync("announce");
        Assert.Equal("""{"text":"echo: hi"}""", request.GetProperty("params").GetRawText());
        await peer.RespondAsync(request, """{"id":"o-1"}""");
        await peer.ExpectNullResultAsync("m-1");
    }

    [Fact]
    public async Task TextWithNewlinesAndNonAscii_TravelsAsOneLine()
    {
        await using var peer = new HarnessPeer();
        await peer.StartAgentAsync();
        const string text = "Ciao!\nÈ pronto: 🖼️ <b>\"gallery\"</b>\r\n\u2028end";

        var say = peer.Agent.SayAsync(text);
        var line = await peer.ReadLineAsync();

        using var request = JsonDocument.Parse(line);
        Assert.Equal(text, request.RootElement.GetProperty("params").GetProperty("text").GetString());
        Assert.Contains("È pronto", line);
        await peer.RespondAsync(request.RootElement, """{"id":"o-1"}""");
        await say.WaitAsync(HarnessPeer.Timeout);
    }
}
