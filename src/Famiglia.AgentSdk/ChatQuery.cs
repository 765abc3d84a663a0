namespace Famiglia.AgentSdk;

/// <summary>Chooses the room and page of <see cref="AgentDataApi.ChatHistoryAsync"/>; null members take the defaults.</summary>
public sealed record ChatQuery
{
    /// <summary>The room whose history to read; the agent's own room by default.</summary>
    public string? RoomId { get; init; }

    /// <summary>Only this document's chat (an XEP-0201 thread, e.g. <see cref="AgentIdentity.Thread"/>); every
    /// message of the room by default.</summary>
    public string? Thread { get; init; }

    /// <summary>Page size: 50 by default, at most 200.</summary>
    public int? Limit { get; init; }

    /// <summary>How many messages to skip (newest first); 0 by default.</summary>
    public int? Offset { get; init; }
}
