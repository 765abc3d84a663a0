using System.Threading.Channels;
using Aegis.Core.Registry;
using Microsoft.EntityFrameworkCore;

namespace Aegis.Daemon.Events;

/// <summary>Records events in the registry and fans them out to live subscribers (the SSE endpoint).</summary>
internal sealed class EventHub(IDbContextFactory<AegisDbContext> db, TimeProvider time)
{
    private readonly Lock _gate = new();
    private readonly List<Channel<EventEntity>> _subscribers = [];

    public async Task PublishAsync(string type, string? appId, string? instanceId, string? message, CancellationToken cancellationToken = default)
    {
        var entity = new EventEntity { Type = type, AppId = appId, InstanceId = instanceId, Message = message, Time = time.GetUtcNow() };
        await using (var context = await db.CreateDbContextAsync(cancellationToken))
        {
            context.Events.Add(entity);
            await context.SaveChangesAsync(cancellationToken);
        }

        lock (_gate)
        {
            foreach (var subscriber in _subscribers)
            {
                subscriber.Writer.TryWrite(entity);
            }
        }
    }

    /// <summary>Events after <paramref name="afterId"/> from the registry, then live ones, without a gap or a repeat.</summary>
    public async IAsyncEnumerable<EventEntity> SubscribeAsync(long afterId, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var live = Channel.CreateBounded<EventEntity>(new BoundedChannelOptions(10_000) { FullMode = BoundedChannelFullMode.DropOldest });
        lock (_gate)
        {
            _subscribers.Add(live);
        }

        try
        {
            var last = afterId;
            List<EventEntity> backlog;
            await using (var context = await db.CreateDbContextAsync(cancellationToken))
            {
                backlog = await context.Events.AsNoTracking().Where(e => e.Id > afterId).OrderBy(e => e.Id).Take(10_000).ToListAsync(cancellationToken);
            }

            foreach (var item in backlog)
            {
                last = item.Id;
                yield return item;
            }

            await foreach (var item in live.Reader.ReadAllAsync(cancellationToken))
            {
                if (item.Id > last)
                {
                    last = item.Id;
                    yield return item;
                }
            }
        }
        finally
        {
            lock (_gate)
            {
                _subscribers.Remove(live);
            }
        }
    }
}
