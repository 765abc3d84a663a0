using System.Collections.Concurrent;

namespace Aegis.Daemon.Router;

/// <summary>The live instance of each app, kept in memory so a routed request costs no registry read.
/// <see cref="Instances.InstanceManager"/> adds a route when an instance becomes healthy and removes it when it ends.</summary>
internal sealed class RouteTable
{
    private readonly ConcurrentDictionary<string, InstanceRoute> _byApp = new();

    public ICollection<InstanceRoute> All => _byApp.Values;

    public InstanceRoute? Find(string appId) => _byApp.GetValueOrDefault(appId);

    public InstanceRoute? FindInstance(string instanceId) => _byApp.Values.FirstOrDefault(r => r.InstanceId == instanceId);

    public void Add(InstanceRoute route) => _byApp[route.AppId] = route;

    public void Remove(string instanceId)
    {
        foreach (var entry in _byApp)
        {
            if (entry.Value.InstanceId == instanceId)
            {
                _byApp.TryRemove(entry);
            }
        }
    }
}
