using System.Buffers;
using System.Collections.Concurrent;
using System.IO.Pipelines;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using System.Threading.Channels;

namespace Famiglia.AgentSdk.Protocol;

/// <summary>JSON-RPC 2.0 over newline-delimited JSON (docs/agent-protocol.md). One read loop matches responses to
/// pending requests and hands requests and notifications to the owner; one writer loop drains a channel of whole
/// lines, so concurrent senders never interleave inside a line.</summary>
internal sealed class JsonRpcConnection
{
    /// <summary>The harness restarts an agent that sends a longer line, so the SDK refuses to send one.</summary>
    public const int MaxLineBytes = 4 * 1024 * 1024;

    // Relaxed escaping keeps non-ASCII text readable; control characters (so newlines) are still escaped.
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly Stream _input;
    private readonly Stream _output;
    private readonly AgentLog _log;
    private readonly Action<JsonRpcRequest> _onRequest;
    private readonly Action _onInputClosed;
    private readonly Channel<byte[]> _outgoing = Channel.CreateUnbounded<byte[]>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ConcurrentDictionary<long, PendingRequest> _pending = new();
    private PipeReader? _reader;
    private Task _writeLoop = Task.CompletedTask;
    private long _lastId;
    private volatile bool _inputClosed;

    public JsonRpcConnection(Stream input, Stream output, AgentLog log, Action<JsonRpcRequest> onRequest, Action onInputClosed)
    {
        _input = input;
        _output = output;
        _log = log;
        _onRequest = onRequest;
        _onInputClosed = onInputClosed;
    }

    public void Start()
    {
        _reader = PipeReader.Create(_input, new StreamPipeReaderOptions(leaveOpen: true));
        _ = Task.Run(ReadLoopAsync);
        _writeLoop = Task.Run(WriteLoopAsync);
    }

    /// <summary>Sends a request and waits for its answer; cancelling forgets the request (a late answer is ignored).</summary>
    public async Task<TResult> InvokeAsync<TParams, TResult>(
        string method, TParams parameters, JsonTypeInfo<TParams> paramsType, JsonTypeInfo<TResult> resultType, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var id = Interlocked.Increment(ref _lastId);
        var line = Frame(writer =>
        {
            writer.WriteNumber("id", id);
            writer.WriteString("method", method);
            writer.WritePropertyName("params");
            JsonSerializer.Serialize(writer, parameters, paramsType);
        });

        var pending = new PendingRequest<TResult>(resultType);
        _pending[id] = pending;
        try
        {
            // Checked after registering: either this sees the closed input or the read loop's cleanup sees the entry.
            if (_inputClosed)
            {
                throw ClosedException();
            }

            Send(line);
            using var registration = cancellationToken.Register(() => Forget(id, cancellationToken));
            return await pending.Task;
        }
        finally
        {
            _pending.TryRemove(id, out _);
        }
    }

    public void SendResult(string id) => Send(Frame(writer =>
    {
        writer.WritePropertyName("id");
        writer.WriteRawValue(id);
        writer.WriteNull("result");
    }));

    public void SendError(string id, int code, string message, string? field = null) => Send(Frame(writer =>
    {
        writer.WritePropertyName("id");
        writer.WriteRawValue(id);
        writer.WriteStartObject("error");
        writer.WriteNumber("code", code);
        writer.WriteString("message", message);
        if (field is not null)
        {
            writer.WriteStartObject("data");
            writer.WriteString("field", field);
            writer.WriteEndObject();
        }

        writer.WriteEndObject();
    }));

    /// <summary>Stops accepting lines and waits until the queued ones are written and flushed.</summary>
    public Task CompleteAsync()
    {
        _outgoing.Writer.TryComplete();
        return _writeLoop;
    }

    /// <summary>Best effort: a read blocked inside the input stream (stdin) may stay blocked until the process exits.</summary>
    public void CancelRead() => _reader?.CancelPendingRead();

    private static byte[] Frame(Action<Utf8JsonWriter> writeMembers)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteString("jsonrpc", "2.0");
            writeMembers(writer);
            writer.WriteEndObject();
        }

        if (buffer.WrittenCount > MaxLineBytes)
        {
            throw new FamigliaAgentException(
                FamigliaErrorCodes.InvalidRequest,
                $"The request is {buffer.WrittenCount} bytes of JSON; the protocol allows at most {MaxLineBytes} per line.");
        }

        buffer.Write("\n"u8);
        return buffer.WrittenSpan.ToArray();
    }

    private void Send(byte[] line)
    {
        if (!_outgoing.Writer.TryWrite(line))
        {
            throw new InvalidOperationException("The agent has stopped: nothing more can be sent to the harness.");
        }
    }

    private void Forget(long id, CancellationToken cancellationToken)
    {
        if (_pending.TryRemove(id, out var pending))
        {
            pending.Cancel(cancellationToken);
        }
    }

    private async Task ReadLoopAsync()
    {
        var reader = _reader!;
        try
        {
            while (true)
            {
                var result = await reader.ReadAsync();
                var buffer = result.Buffer;
                while (buffer.PositionOf((byte)'\n') is { } end)
                {
                    ProcessLine(buffer.Slice(0, end));
                    buffer = buffer.Slice(buffer.GetPosition(1, end));
                }

                if (result.IsCompleted || result.IsCanceled)
                {
                    if (result.IsCompleted && !buffer.IsEmpty)
                    {
                        ProcessLine(buffer);
                    }

                    reader.AdvanceTo(buffer.End);
                    break;
                }

                reader.AdvanceTo(buffer.Start, buffer.End);
            }
        }
        catch (Exception ex)
        {
            _log.ReadFailed(ex);
        }
        finally
        {
            await reader.CompleteAsync();
            _inputClosed = true;
            FailPending(ClosedException());
            _onInputClosed();
        }
    }

    private async Task WriteLoopAsync()
    {
        var lines = _outgoing.Reader;
        try
        {
            while (await lines.WaitToReadAsync())
            {
                while (lines.TryRead(out var line))
                {
                    await _output.WriteAsync(line);
                }

                await _output.FlushAsync();
            }
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or NotSupportedException)
        {
            _log.WriteFailed(ex);
            _outgoing.Writer.TryComplete(ex);
            FailPending(new IOException("Writing to the harness failed.", ex));
        }
    }

    private void ProcessLine(ReadOnlySequence<byte> line)
    {
        if (line.IsEmpty || (line.Length == 1 && line.FirstSpan[0] == (byte)'\r'))
        {
            return;
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(line);
        }
        catch (JsonException ex)
        {
            _log.UnreadableLine(ex.Message);
            return;
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                _log.UnreadableLine("not a JSON object");
                return;
            }

            var id = root.TryGetProperty("id", out var idElement) && idElement.ValueKind is JsonValueKind.String or JsonValueKind.Number
                ? idElement.GetRawText()
                : null;
            if (root.TryGetProperty("method", out var method) && method.ValueKind == JsonValueKind.String)
            {
                var parameters = root.TryGetProperty("params", out var p) ? p : default;
                _onRequest(new JsonRpcRequest(method.GetString()!, id, parameters));
            }
            else if (idElement.ValueKind == JsonValueKind.Number && idElement.TryGetInt64(out var number) && _pending.TryRemove(number, out var pending))
            {
                if (root.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.Object)
                {
                    pending.Fail(ToException(error));
                }
                else
                {
                    pending.Complete(root.TryGetProperty("result", out var result) ? result : default);
                }
            }
            else
            {
                // Also a late answer to a cancelled request; harmless either way.
                _log.UnmatchedResponse(id ?? "null");
            }
        }
    }

    private void FailPending(Exception error)
    {
        foreach (var id in _pending.Keys)
        {
            if (_pending.TryRemove(id, out var pending))
            {
                pending.Fail(error);
            }
        }
    }

    private static IOException ClosedException() => new("The harness closed the connection (the agent's stdin) before answering.");

    private static FamigliaAgentException ToException(JsonElement error)
    {
        var data = error.TryGetProperty("data", out var d) && d.ValueKind == JsonValueKind.Object ? d : default;
        return new FamigliaAgentException(
            Int(error, "code") ?? 0,
            String(error, "message") ?? "The harness answered with an error.",
            String(data, "field"),
            Int(data, "status"),
            String(data, "title"));

        static string? String(JsonElement o, string name) =>
            o.ValueKind == JsonValueKind.Object && o.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

        static int? Int(JsonElement o, string name) =>
            o.ValueKind == JsonValueKind.Object && o.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var n) ? n : null;
    }

    private abstract class PendingRequest
    {
        public abstract void Complete(JsonElement result);

        public abstract void Fail(Exception error);

        public abstract void Cancel(CancellationToken cancellationToken);
    }

    private sealed class PendingRequest<T>(JsonTypeInfo<T> resultType) : PendingRequest
    {
        private readonly TaskCompletionSource<T> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task<T> Task => _completion.Task;

        // Runs on the read loop while the line's JsonDocument is alive, so the result is deserialized here.
        public override void Complete(JsonElement result)
        {
            try
            {
                var value = result.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null ? default : result.Deserialize(resultType);
                if (value is null)
                {
                    _completion.TrySetException(new FamigliaAgentException(FamigliaErrorCodes.InternalError, "The harness answered without a result."));
                }
                else
                {
                    _completion.TrySetResult(value);
                }
            }
            catch (JsonException ex)
            {
                _completion.TrySetException(ex);
            }
        }

        public override void Fail(Exception error) => _completion.TrySetException(error);

        public override void Cancel(CancellationToken cancellationToken) => _completion.TrySetCanceled(cancellationToken);
    }
}
