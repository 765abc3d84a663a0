using System.Text.Json;
using Famiglia.AgentSdk.Protocol;

namespace Famiglia.AgentSdk;

public sealed partial class FamigliaAgent
{
    // Set on the dispatch loop (and so flowing into handlers), where awaiting the stop would wait for itself.
    private static readonly AsyncLocal<FamigliaAgent?> CurrentDispatcher = new();

    // Runs on the read loop: must be quick and never throw.
    private void OnRequest(JsonRpcRequest request)
    {
        try
        {
            switch (request.Method)
            {
                case "message":
                    OnMessageRequest(request);
                    break;
                case "shutdown":
                    _log.ShutdownRequested();
                    RequestStop();
                    if (request.Id is not null)
                    {
                        _connection.SendResult(request.Id);
                    }

                    break;
                default:
                    if (request.Id is not null)
                    {
                        _connection.SendError(request.Id, FamigliaErrorCodes.MethodNotFound, $"The agent has no method '{request.Method}'.");
                    }

                    break;
            }
        }
        catch (InvalidOperationException)
        {
            // Stopped: the answer cannot be sent, and an unanswered message goes to the next agent process.
        }
    }

    private void OnMessageRequest(JsonRpcRequest request)
    {
        MessageParams? message = null;
        try
        {
            message = request.Params.ValueKind == JsonValueKind.Object ? request.Params.Deserialize(AgentJsonContext.Default.MessageParams) : null;
        }
        catch (JsonException)
        {
        }

        var missing = message is null ? "params" : message.Id is null ? "id" : message.From is null ? "from" : message.Body is null ? "body" : null;
        if (request.Id is null || missing is not null)
        {
            _log.InvalidMessage(request.Id is null ? "not a request (no id)" : $"missing or invalid '{missing}'");
            if (request.Id is not null)
            {
                _connection.SendError(request.Id, FamigliaErrorCodes.InvalidParams, $"The message has no valid '{missing}'.", missing);
            }

            return;
        }

        var delivered = new AgentMessage(this, message!.Id!, message.From!, message.Body!, message.Thread, message.Timestamp, message.Room ?? "");
        _inbox.Writer.TryWrite(new Delivery(request.Id, delivered));
    }

    private async Task DispatchAsync()
    {
        CurrentDispatcher.Value = this;
        await foreach (var delivery in _inbox.Reader.ReadAllAsync())
        {
            if (_stopping.IsCancellationRequested)
            {
                return;
            }

            await HandleAsync(delivery.Message);
            try
            {
                _connection.SendResult(delivery.RequestId);
            }
            catch (InvalidOperationException)
            {
                return;
            }
        }
    }

    private async Task HandleAsync(AgentMessage message)
    {
        // The harness never delivers the agent's own messages; this guards against a harness that does.
        if (message.From == _identity!.Nick)
        {
            return;
        }

        var handlers = _handlers;
        if (handlers.IsEmpty)
        {
            _log.NoHandler(message.Id);
        }

        foreach (var handler in handlers)
        {
            try
            {
                await handler(message);
            }
            catch (Exception ex)
            {
                _log.HandlerFailed(message.Id, ex);
            }
        }
    }

    // Shutdown notification, end of stdin, or StopAsync: the first one wins, the others find it done.
    private void RequestStop()
    {
        _inbox.Writer.TryComplete();
        if (_stopRequested.TrySetResult())
        {
            _ = CancelStoppingAsync();
        }
    }

    // CancelAsync runs the Stopping callbacks off the read loop, so a slow callback cannot hold it.
    private async Task CancelStoppingAsync()
    {
        try
        {
            await _stopping.CancelAsync();
        }
        catch (Exception ex)
        {
            _log.CallbackFailed(ex);
        }
    }

    private readonly record struct Delivery(string RequestId, AgentMessage Message);
}
