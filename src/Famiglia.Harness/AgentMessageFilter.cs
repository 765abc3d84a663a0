using Famiglia.Xmpp;

namespace Famiglia.Harness;

/// <summary>Which other agents' messages reach the agent (<c>FAMIGLIA_DELIVER_AGENT_MESSAGES</c>).</summary>
internal enum AgentMessageDelivery
{
    /// <summary>None: the agent hears people only.</summary>
    None,

    /// <summary>Those that mention it (<c>@Name</c>): one agent can hand work to another by addressing it. The default.</summary>
    Mentions,

    /// <summary>Every one.</summary>
    All,
}

/// <summary>
/// Decides whether another agent's message is delivered to this agent, and keeps agents from talking to each other
/// forever: once <see cref="ChainLimit"/> agents' messages have followed each other in a conversation (the main chat,
/// or one document's thread) with no person writing in between, no more agents' messages of that conversation are
/// delivered until a person writes there. Every agent in the room counts the same messages, so all of them stop.
/// </summary>
/// <remarks>Not thread-safe: the room's messages are observed one at a time, in room order.</remarks>
internal sealed class AgentMessageFilter(AgentMessageDelivery delivery, IReadOnlyList<string> names)
{
    /// <summary>Agents' messages in a row, without a person's, after which agents stop hearing each other there.</summary>
    public const int ChainLimit = 10;

    private const string AgentNickPrefix = "@s:";

    private readonly Dictionary<string, int> _chains = new(StringComparer.Ordinal);

    /// <summary>Raised once when a conversation's chain reaches <see cref="ChainLimit"/> (its thread, null for the main chat).</summary>
    public event Action<string?>? ChainLimitReached;

    /// <summary>True when <paramref name="nick"/> is an agent's (or another service's) nick (spec §6.1: <c>@s:…</c>).</summary>
    public static bool IsAgent(string nick) => nick.StartsWith(AgentNickPrefix, StringComparison.Ordinal);

    /// <summary>The names an agent answers to: its display name and its nick's name part (<c>@s:photo-agent@host</c> → <c>photo-agent</c>).</summary>
    public static IReadOnlyList<string> NamesOf(string nick, string? displayName)
    {
        var names = new List<string>();
        if (!string.IsNullOrWhiteSpace(displayName))
        {
            names.Add(displayName.Trim());
        }

        if (IsAgent(nick) && nick.LastIndexOf('@') is var at && at > AgentNickPrefix.Length)
        {
            names.Add(nick[AgentNickPrefix.Length..at]);
        }

        return names;
    }

    /// <summary>
    /// Takes the room's next message (every one, the agent's own too, in room order) and says whether, coming from
    /// an agent, it may be delivered. A person's message is always true here (the other rules are the caller's).
    /// </summary>
    public bool Observe(string nick, string body, string? thread)
    {
        var conversation = thread ?? "";
        if (!IsAgent(nick))
        {
            _chains.Remove(conversation);
            return true;
        }

        var chain = _chains[conversation] = _chains.GetValueOrDefault(conversation) + 1;
        if (chain == ChainLimit + 1)
        {
            ChainLimitReached?.Invoke(thread);
        }

        return chain <= ChainLimit && delivery switch
        {
            AgentMessageDelivery.All => true,
            AgentMessageDelivery.Mentions => MucMentions.Mentions(body, names),
            _ => false,
        };
    }
}
