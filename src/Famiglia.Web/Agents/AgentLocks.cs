using System.Collections.Concurrent;

namespace Famiglia.Web.Agents;

/// <summary>
/// One lifecycle operation at a time per agent (Start, Stop, the ensure of an opened tab or a wake, a release's
/// rollout). Without it a Stop pressed while a Start's ensure was on its way to aegisd found no instance to terminate,
/// and the instance the ensure then booted ran on, unseen, until aegisd's idle timers ended it. famiglia-web is one
/// process, so an in-process lock per agent is enough.
/// </summary>
internal sealed class AgentLocks
{
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _locks = new(StringComparer.Ordinal);

    /// <summary>Waits until no other operation on <paramref name="agentId"/> runs; disposing the result lets the next one in.</summary>
    public async Task<IDisposable> EnterAsync(string agentId, CancellationToken cancellationToken)
    {
        var gate = _locks.GetOrAdd(agentId, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken);
        return new Held(gate);
    }

    private sealed class Held(SemaphoreSlim gate) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                gate.Release();
            }
        }
    }
}
