namespace Famiglia.Harness;

/// <summary>A room message for the agent, as the protocol's <c>message</c> request carries it.</summary>
internal sealed record InboxMessage(string Id, string From, string Body, string? Thread, DateTimeOffset Timestamp, string Room)
{
    /// <summary>How many times it was handed to an agent process.</summary>
    public int Attempts { get; set; }
}

/// <summary>
/// Messages waiting for the agent and messages handed to it but not yet answered. When the agent process goes away,
/// its unanswered messages go back to the front, in order, so the next process gets them first (at-least-once).
/// </summary>
internal sealed class AgentInbox(int capacity = 10_000, int maxAttempts = 3)
{
    private readonly Lock _gate = new();
    private readonly LinkedList<InboxMessage> _waiting = new();
    private readonly List<(string RequestId, InboxMessage Message)> _inFlight = [];
    private TaskCompletionSource _available = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Raised with a line for the log when a message is dropped.</summary>
    public event Action<string>? Dropped;

    /// <summary>Raised when the agent is done with a message: it answered, or the message was dropped for good.</summary>
    public event Action<InboxMessage>? Finished;

    public int Waiting { get { lock (_gate) { return _waiting.Count; } } }

    public int InFlight { get { lock (_gate) { return _inFlight.Count; } } }

    public void Add(InboxMessage message)
    {
        InboxMessage? dropped = null;
        lock (_gate)
        {
            if (_waiting.Count >= capacity)
            {
                dropped = _waiting.First!.Value;
                _waiting.RemoveFirst();
            }

            _waiting.AddLast(message);
            _available.TrySetResult();
        }

        if (dropped is not null)
        {
            Dropped?.Invoke($"inbox full ({capacity}): dropped the oldest waiting message {dropped.Id}");
            Finished?.Invoke(dropped);
        }
    }

    /// <summary>Waits for the next message and marks it in flight under <paramref name="requestId"/>.</summary>
    public async Task<InboxMessage> TakeAsync(string requestId, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task available;
            lock (_gate)
            {
                if (_waiting.First is { } first)
                {
                    _waiting.RemoveFirst();
                    first.Value.Attempts++;
                    _inFlight.Add((requestId, first.Value));
                    return first.Value;
                }

                if (_available.Task.IsCompleted)
                {
                    _available = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                }

                available = _available.Task;
            }

            await available.WaitAsync(cancellationToken);
        }
    }

    /// <summary>The agent answered the request: the message is done.</summary>
    public bool Complete(string requestId)
    {
        InboxMessage message;
        lock (_gate)
        {
            var index = _inFlight.FindIndex(f => f.RequestId == requestId);
            if (index < 0)
            {
                return false;
            }

            message = _inFlight[index].Message;
            _inFlight.RemoveAt(index);
        }

        Finished?.Invoke(message);
        return true;
    }

    /// <summary>The agent process ended: unanswered messages go back to the front in their order, except those that
    /// were tried <c>maxAttempts</c> times already.</summary>
    public void Requeue()
    {
        List<InboxMessage> dropped = [];
        lock (_gate)
        {
            for (var i = _inFlight.Count - 1; i >= 0; i--)
            {
                var message = _inFlight[i].Message;
                if (message.Attempts >= maxAttempts)
                {
                    dropped.Add(message);
                }
                else
                {
                    _waiting.AddFirst(message);
                }
            }

            _inFlight.Clear();
            if (_waiting.Count > 0)
            {
                _available.TrySetResult();
            }
        }

        foreach (var message in dropped)
        {
            Dropped?.Invoke($"message {message.Id} was delivered {maxAttempts} times and the agent never finished it: dropped");
            Finished?.Invoke(message);
        }
    }
}
