using System.Text;

namespace Famiglia.AgentSdk.Tests;

/// <summary><c>canvas.*</c>: text versus base64, reads both ways, delete, bumpVersion, path errors.</summary>
public sealed class AgentCanvasTests
{
    [Fact]
    public async Task WriteAsync_Text_SendsText()
    {
        await using var peer = new HarnessPeer();
        await peer.StartAgentAsync();

        var write = peer.Agent.Canvas.WriteAsync("index.html", "<h1>Hi</h1>");
        var request = await peer.ExpectRequestAsync("canvas.write");
        await peer.RespondAsync(request, """{"path":"index.html","size":11}""");
        await write.WaitAsync(HarnessPeer.Timeout);

        Assert.Equal("""{"path":"index.html","text":"<h1>Hi</h1>"}""", request.GetProperty("params").GetRawText());
    }

    [Fact]
    public async Task WriteAsync_Bytes_SendsBase64()
    {
        await using var peer = new HarnessPeer();
        await peer.StartAgentAsync();
        byte[] png = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0xFF];

        var write = peer.Agent.Canvas.WriteAsync("images/logo.png", png);
        var request = await peer.ExpectRequestAsync("canvas.write");
        await peer.RespondAsync(request, """{"path":"images/logo.png","size":9}""");
        await write.WaitAsync(HarnessPeer.Timeout);

        var parameters = request.GetProperty("params");
        Assert.Equal("images/logo.png", parameters.GetProperty("path").GetString());
        Assert.Equal(png, parameters.GetProperty("base64").GetBytesFromBase64());
        Assert.False(parameters.TryGetProperty("text", out _));
    }

    [Fact]
    public async Task ReadTextAsync_And_ReadBytesAsync_AcceptTextAndBase64Answers()
    {
        await using var peer = new HarnessPeer();
        await peer.StartAgentAsync();
        byte[] binary = [0xC3, 0x28, 0x00, 0xFF];

        var text = peer.Agent.Canvas.ReadTextAsync("notes.txt");
        var textRequest = await peer.ExpectRequestAsync("canvas.read");
        await peer.RespondAsync(textRequest, """{"path":"notes.txt","text":"città"}""");
        var textAsBytes = peer.Agent.Canvas.ReadBytesAsync("notes.txt");
        await peer.RespondAsync(await peer.ExpectRequestAsync("canvas.read"), """{"path":"notes.txt","text":"città"}""");
        var bytes = peer.Agent.Canvas.ReadBytesAsync("blob.bin");
        await peer.RespondAsync(await peer.ExpectRequestAsync("canvas.read"), $$"""{"path":"blob.bin","base64":"{{Convert.ToBase64String(binary)}}"}""");
        var bytesAsText = peer.Agent.Canvas.ReadTextAsync("blob.bin");
        await peer.RespondAsync(await peer.ExpectRequestAsync("canvas.read"), $$"""{"path":"blob.bin","base64":"{{Convert.ToBase64String(binary)}}"}""");

        Assert.Equal("""{"path":"notes.txt"}""", textRequest.GetProperty("params").GetRawText());
        Assert.Equal("città", await text.WaitAsync(HarnessPeer.Timeout));
        Assert.Equal(Encoding.UTF8.GetBytes("città"), await textAsBytes.WaitAsync(HarnessPeer.Timeout));
        Assert.Equal(binary, await bytes.WaitAsync(HarnessPeer.Timeout));
        Assert.Equal("\uFFFD(\0\uFFFD", await bytesAsText.WaitAsync(HarnessPeer.Timeout));
    }

    [Fact]
    public async Task ReadTextAsync_OfAMissingFile_ThrowsWithCodeAndField()
    {
        await using var peer = new HarnessPeer();
        await peer.StartAgentAsync();

        var read = peer.Agent.Canvas.ReadTextAsync("missing.html");
        await peer.RespondErrorAsync(await peer.ExpectRequestAsync("canvas.read"), FamigliaErrorCodes.CanvasError, "No such file", """{"field":"path"}""");

        var error = await Assert.ThrowsAsync<FamigliaAgentException>(() => read.WaitAsync(HarnessPeer.Timeout));
        Assert.Equal(FamigliaErrorCodes.CanvasError, error.Code);
        Assert.Equal("path", error.Field);
        Assert.Equal("No such file", error.Message);
        Assert.Null(error.Status);
    }

    [Fact]
    public async Task DeleteAsync_ReturnsWhetherTheFileExisted()
    {
        await using var peer = new HarnessPeer();
        await peer.StartAgentAsync();

        var delete = peer.Agent.Canvas.DeleteAsync("old.html");
        var request = await peer.ExpectRequestAsync("canvas.delete");
        await peer.RespondAsync(request, """{"path":"old.html","deleted":true}""");
        var again = peer.Agent.Canvas.DeleteAsync("old.html");
        await peer.RespondAsync(await peer.ExpectRequestAsync("canvas.delete"), """{"path":"old.html","deleted":false}""");

        Assert.Equal("""{"path":"old.html"}""", request.GetProperty("params").GetRawText());
        Assert.True(await delete.WaitAsync(HarnessPeer.Timeout));
        Assert.False(await again.WaitAsync(HarnessPeer.Timeout));
    }

    [Fact]
    public async Task BumpVersionAsync_ReturnsTheVersion()
    {
        await using var peer = new HarnessPeer();
        await peer.StartAgentAsync();

        var bump = peer.Agent.Canvas.BumpVersionAsync();
        var request = await peer.ExpectRequestAsync("canvas.bumpVersion");
        await peer.RespondAsync(request, """{"version":12}""");

        Assert.Equal("{}", request.GetProperty("params").GetRawText());
        Assert.Equal(12, await bump.WaitAsync(HarnessPeer.Timeout));
    }
}
