using System.IO.Pipelines;
using System.Text;
using System.Text.Json;

namespace Famiglia.AgentSdk.Tests;

/// <summary>Plays the harness's side of the protocol against a <see cref="FamigliaAgent"/> over in-memory pipes:
/// reads the agent's lines as JSON and writes scripted lines to it.</summary>
internal sealed class HarnessPeer : IAsyncDisposable
{
    public const string Nick = "@s:photo-agent@dev1.localhost";
    public const string Room = "photos.feldmans@conference.dev1.localhost";
    public const string DocumentThread = "clx_doc_key";

    public const string IdentityJson = $$"""
        {"nick":"{{Nick}}","room":"{{Room}}","thread":"{{DocumentThread}}","groupId":"grp_1","roomId":"room_1","canvasDirectory":"/canvas","workspaceDirectory":"/workspace","future":"ignored"}
        """;

    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private readonly Pipe _toAgent = new();
    private readonly Pipe _fromAgent = new();
    private readonly StreamReader _lines;
    private readonly StringWriter _log = new();
    private readonly SemaphoreSlim _sendLock = new(1, 1);

    public HarnessPeer()
    {
        Agent = new FamigliaAgent(_toAgent.Reader.AsStream(), _fromAgent.Writer.AsStream(), TextWriter.Synchronized(_log));
        _lines = new StreamReader(_fromAgent.Reader.AsStream(), Encoding.UTF8);
    }

    public FamigliaAgent Agent { get; }

    /// <summary>What the agent logged so far; read it after an answer that follows the log line.</summary>
    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    /// <summary>Starts the agent, answers its <c>ready</c> and returns the <c>ready</c> request.</summary>
    public async Task<JsonElement> StartAgentAsync()
    {
        var start = Agent.StartAsync();
        var ready = await ExpectRequestAsync("ready");
        await RespondAsync(ready, IdentityJson);
        await start.WaitAsync(Timeout);
        return ready;
    }

    public async Task<string> ReadLineAsync()
    {
        var line = await _lines.ReadLineAsync().WaitAsync(Timeout);
        Assert.NotNull(line);
        return line;
    }

    public async Task<JsonElement> ReadAsync()
    {
        using var document = JsonDocument.Parse(await ReadLineAsync());
        var root = document.RootElement.Clone();
        Assert.Equal("2.0", root.GetProperty("jsonrpc").GetString());
        return root;
    }

    public async Task<JsonElement> ExpectRequestAsync(string method)
    {
        var request = await ReadAsync();
        Assert.Equal(method, request.GetProperty("method").GetString());
        Assert.Equal(JsonValueKind.Number, request.GetProperty("id").ValueKind);
        return request;
    }

    /// <summary>Reads the agent's answer to a request the peer sent and checks it is <c>result: null</c>.</summary>
    public async Task ExpectNullResultAsync(string id)
    {
        var answer = await ReadAsync();
        Assert.Equal(id, answer.GetProperty("id").GetString());
        Assert.Equal(JsonValueKind.Null, answer.GetProperty("result").ValueKind);
        Assert.False(answer.TryGetProperty("error", out _));
    }

    public async Task SendAsync(string json)
    {
        Assert.DoesNotContain('\n', json);
        await _sendLock.WaitAsync();
        try
        {
            await _toAgent.Writer.WriteAsync(Encoding.UTF8.GetBytes(json + "\n"));
        }
        finally
        {
            _sendLock.Release();
        }
    }

    public Task RespondAsync(JsonElement request, string resultJson) =>
        SendAsync($$"""{"jsonrpc":"2.0","id":{{request.GetProperty("id").GetRawText()}},"result":{{Compact(resultJson)}}}""");

    public Task RespondErrorAsync(JsonElement request, int code, string message, string dataJson) =>
        SendAsync($$$"""{"jsonrpc":"2.0","id":{{{request.GetProperty("id").GetRawText()}}},"error":{"code":{{{code}}},"message":"{{{message}}}","data":{{{Compact(dataJson)}}}}}""");

    public Task SendMessageAsync(string requestId, string body, string? thread = null, string from = "@u:alice@dev1.localhost", string messageId = "1732612345678901")
    {
        var threadJson = thread is null ? "null" : JsonSerializer.Serialize(thread);
        return SendAsync($$$"""
            {"jsonrpc":"2.0","id":"{{{requestId}}}","method":"message","params":{"id":"{{{messageId}}}","from":"{{{from}}}","body":{{{JsonSerializer.Serialize(body)}}},"thread":{{{threadJson}}},"timestamp":"2026-11-26T09:30:00.000Z","room":"{{{Room}}}"}}
            """);
    }

    public Task SendShutdownAsync() => SendAsync("""{"jsonrpc":"2.0","method":"shutdown","params":{"graceSeconds":2}}""");

    /// <summary>End of the agent's stdin.</summary>
    public Task CloseInputAsync() => _toAgent.Writer.CompleteAsync().AsTask();

    public async ValueTask DisposeAsync()
    {
        await _toAgent.Writer.CompleteAsync();
        await Agent.DisposeAsync().AsTask().WaitAsync(Timeout);
        await _fromAgent.Reader.CompleteAsync();
        _sendLock.Dispose();
    }

    private static string Compact(string json)
    {
        using var document = JsonDocument.Parse(json);
        return JsonSerializer.Serialize(document.RootElement);
    }
}
