namespace Famiglia.Harness;

/// <summary>What the harness reports on the control channel and in heartbeats.</summary>
internal sealed class HarnessHealth(RoomLink room, AgentSupervisor agent, AgentInbox inbox)
{
    /// <summary>Unhealthy only for what will not fix itself: thrown out of the room, or the agent in a crash loop.
    /// Joining and restarting are healthy states with a detail.</summary>
    public (bool Ok, string Detail) Check()
    {
        if (room.Problem is { } roomProblem)
        {
            return (false, "out of the room: " + roomProblem);
        }

        if (agent.Problem is { } agentProblem)
        {
            return (false, agentProblem);
        }

        var xmpp = room.IsJoined ? "joined" : $"joining (xmpp {room.State.ToString().ToLowerInvariant()})";
        var process = agent.IsReady ? "agent ready" : agent.Restarts > 0 ? $"agent restarting (exit code {agent.LastExitCode})" : "agent starting";
        return (true, $"{xmpp}; {process}; restarts {agent.Restarts}; inbox {inbox.Waiting} waiting, {inbox.InFlight} in flight");
    }
}
