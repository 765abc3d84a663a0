using System.Collections.Concurrent;

namespace Famiglia.Web.Chat;

/// <summary>
/// The canvas version each agent's harness last reported (in this process, since it started). The room page renders
/// it into the canvas frame and the hub tells it to a browser joining the room, so a tab rendered before a bump and
/// joined after it still reloads its canvas: the bump's own push reaches only browsers already in the room.
/// </summary>
internal sealed class CanvasVersions
{
    private readonly ConcurrentDictionary<string, long> _versions = new(StringComparer.Ordinal);

    public void Report(string agentId, long version) => _versions[agentId] = version;

    /// <summary>The last reported version, or null when none was reported since this process started.</summary>
    public long? Of(string agentId) => _versions.TryGetValue(agentId, out var version) ? version : null;
}
