namespace Famiglia.AgentSdk;

/// <summary>A chat message delivered to the agent: from the room's main chat (<see cref="Thread"/> is null) or from
/// the agent's document thread.</summary>
public sealed class AgentMessage
{
    private readonly FamigliaAgent _agent;

    internal AgentMessage(FamigliaAgent agent, string id, string from, string body, string? thread, DateTimeOffset timestamp, string room)
    {
        _agent = agent;
        Id = id;
        From = from;
        Body = body;
        Thread = thread;
        Timestamp = timestamp;
        Room = room;
    }

    /// <summary>The room's archive id (stanza-id) of the message, else the sender's origin-id. Delivery is
    /// at-least-once: after an agent crash the same message can arrive again with the same id.</summary>
    public string Id { get; }

    /// <summary>The sender's nick, for instance <c>@u:alice@dev1.localhost</c> (people) or <c>@s:...</c> (agents).</summary>
    public string From { get; }

    /// <summary>The message text.</summary>
    public string Body { get; }

    /// <summary>The document thread the message was written in, or null for the room's main chat.</summary>
    public string? Thread { get; }

    /// <summary>When the message was sent.</summary>
    public DateTimeOffset Timestamp { get; }

    /// <summary>The room's MUC address.</summary>
    public string Room { get; }

    /// <summary>Answers where the message was written: into its <see cref="Thread"/>, or into the room's main chat
    /// (as <see cref="FamigliaAgent.AnnounceAsync"/> does) when it came from there.</summary>
    /// <param name="text">The reply.</param>
    /// <param name="cancellationToken">Stops waiting for the harness's answer.</param>
    /// <returns>The reply's origin-id.</returns>
    public Task<string> ReplyAsync(string text, CancellationToken cancellationToken = default) =>
        Thread is null ? _agent.AnnounceAsync(text, cancellationToken) : _agent.SayInThreadAsync(text, Thread, cancellationToken);

    /// <inheritdoc/>
    public override string ToString() => $"{From}: {Body}";
}
