using System.Threading.Channels;

namespace Famiglia.Web.Agents;

/// <summary>
/// Moves agents to the releases their apps publish, off the request path: the kit's <c>on_publish</c> hook is called
/// while aegisd's publish waits for it, so it only queues here, and the replacing ensure (a boot) runs after.
/// One agent at a time, in the order published.
/// </summary>
internal sealed partial class ReleaseRollouts(AgentLifecycle lifecycle, ILogger<ReleaseRollouts> logger) : BackgroundService
{
    private readonly Channel<(string AgentId, int Version)> _queue =
        Channel.CreateUnbounded<(string, int)>(new UnboundedChannelOptions { SingleReader = true });

    public void Enqueue(string agentId, int version) => _queue.Writer.TryWrite((agentId, version));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var (agentId, version) in _queue.Reader.ReadAllAsync(stoppingToken))
            {
                try
                {
                    await lifecycle.RollOutAsync(agentId, version, stoppingToken);
                }
                catch (Exception ex) when (ex is AegisException or AgentOperationException or HttpRequestException or IOException)
                {
                    // Ensure failures are already on the agent (ERROR, shown in its tab); the rest (aegisd away, the agent
                    // deleted meanwhile) leave it as it was, and its next start takes the newest release.
                    RollOutFailed(logger, agentId, version, ex.Message);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down: an agent not yet moved takes the release at its next start.
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not move agent {AgentId} to version {Version}: {Error}")]
    private static partial void RollOutFailed(ILogger logger, string agentId, int version, string error);
}
