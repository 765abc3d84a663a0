namespace Famiglia.AgentSdk.Protocol;

/// <summary>The agent's log lines on stderr, which the harness copies into the sandbox log as <c>[agent] ...</c>.</summary>
internal sealed class AgentLog(TextWriter writer)
{
    private readonly Lock _lock = new();

    public void HandlerFailed(string messageId, Exception exception) => Write($"message handler failed for message {messageId}: {exception}");

    public void NoHandler(string messageId) => Write($"no message handler registered; message {messageId} acknowledged unhandled");

    public void InvalidMessage(string reason) => Write($"refused a message request: {reason}");

    public void ShutdownRequested() => Write("shutdown requested by the harness");

    public void UnreadableLine(string reason) => Write($"ignored a line from the harness: {reason}");

    public void UnmatchedResponse(string id) => Write($"ignored a response to no pending request (id {id})");

    public void ReadFailed(Exception exception) => Write($"reading from the harness failed: {exception.Message}");

    public void WriteFailed(Exception exception) => Write($"writing to the harness failed: {exception.Message}");

    public void CallbackFailed(Exception exception) => Write($"a Stopping callback failed: {exception}");

    private void Write(string line)
    {
        try
        {
            lock (_lock)
            {
                writer.WriteLine("famiglia-agent: " + line);
                writer.Flush();
            }
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException)
        {
            // A closed stderr must not take the agent down.
        }
    }
}
