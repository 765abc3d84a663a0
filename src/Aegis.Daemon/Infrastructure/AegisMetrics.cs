using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Aegis.Core.Instances;

namespace Aegis.Daemon.Infrastructure;

/// <summary>aegisd's instruments, exported at /metrics (Prometheus).</summary>
internal sealed class AegisMetrics
{
    public const string MeterName = "Aegis.Daemon";
    private readonly Histogram<double> _ensure;
    private readonly Histogram<double> _snapshots;
    private readonly Counter<long> _transitions;
    private readonly Counter<long> _routerRequests;
    private readonly Histogram<double> _routerDuration;
    private readonly Histogram<double> _wakeWaits;
    private readonly UpDownCounter<long> _routerOpen;
    private readonly Counter<long> _routerBytes;
    private static readonly InstanceState[] LiveStates = [InstanceState.Booting, InstanceState.Running, InstanceState.Paused];
    private readonly ConcurrentDictionary<string, InstanceState> _live = new(StringComparer.Ordinal);

    public AegisMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        // Exported as aegis_ensure_seconds{path}.
        _ensure = meter.CreateHistogram<double>("aegis.ensure", "s",
            "Time for ensure to return a running instance, by path: existing (was running), resume (was paused), restore (from a memory snapshot), pool (claimed from the warm pool), cold (booted afresh).",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60] });
        _snapshots = meter.CreateHistogram<double>("aegis.snapshot", "s", "Time to save an instance's memory snapshot on terminate.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60] });
        _transitions = meter.CreateCounter<long>("aegis.instance.transitions", description: "Instance state changes, by target state.");
        _routerRequests = meter.CreateCounter<long>("aegis.router.requests", description: "Requests through the router, by outcome (hot, woken, not_found, unavailable, proxy_error).");
        _routerDuration = meter.CreateHistogram<double>("aegis.router.duration", "s", "Time from a routed request's arrival to the end of its response (WebSockets: to their close), by outcome.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30] });
        _wakeWaits = meter.CreateHistogram<double>("aegis.router.wake.duration", "s", "Time a routed request waited for its app to wake, by outcome (ok, timeout, failed, not_found, not_served, abandoned).",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30] });
        _routerOpen = meter.CreateUpDownCounter<long>("aegis.router.open", description: "Routed requests and WebSockets open right now.");
        _routerBytes = meter.CreateCounter<long>("aegis.router.bytes", "By", "HTTP body bytes through the router, by direction (in: to the sandbox, out: to the caller).");
        meter.CreateObservableGauge("aegis.instances", CountLive, description: "Instances that are not terminated, by state (booting, running, paused).");
        meter.CreateObservableGauge("aegis.pool.ready", CountPooled, description: "Sandboxes started ahead of demand and waiting in the warm pool, by kit.");
        _poolClaims = meter.CreateCounter<long>("aegis.pool.claims", description: "Ensures that found a pooled sandbox, by kit and outcome (claimed, failed: the claim failed and the instance booted afresh; empty: none was ready).");
    }

    private readonly Counter<long> _poolClaims;

    /// <summary>Reads the warm pool's size per kit for the gauge.</summary>
    public Func<IEnumerable<KeyValuePair<string, int>>>? PoolSizes { get; set; }

    public void PoolClaim(string kit, string outcome) =>
        _poolClaims.Add(1, new KeyValuePair<string, object?>("kit", kit), new KeyValuePair<string, object?>("outcome", outcome));

    private IEnumerable<Measurement<long>> CountPooled() =>
        (PoolSizes?.Invoke() ?? []).Select(p => new Measurement<long>(p.Value, new KeyValuePair<string, object?>("kit", p.Key)));

    public void Ensured(string path, TimeSpan elapsed) => _ensure.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>("path", path));

    public void Snapshotted(TimeSpan elapsed) => _snapshots.Record(elapsed.TotalSeconds);

    public void Routed(string outcome, TimeSpan elapsed)
    {
        var tag = new KeyValuePair<string, object?>("outcome", outcome);
        _routerRequests.Add(1, tag);
        _routerDuration.Record(elapsed.TotalSeconds, tag);
    }

    public void WakeWaited(string outcome, TimeSpan elapsed) => _wakeWaits.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>("outcome", outcome));

    public void RouterOpened() => _routerOpen.Add(1);

    public void RouterBytes(long toSandbox, long toCaller)
    {
        _routerBytes.Add(toSandbox, new KeyValuePair<string, object?>("direction", "in"));
        _routerBytes.Add(toCaller, new KeyValuePair<string, object?>("direction", "out"));
    }

    public void RouterClosed() => _routerOpen.Add(-1);

    /// <summary>An instance changed state: counted, and kept for the instances-by-state gauge.</summary>
    public void Transition(string instanceId, InstanceState to)
    {
        _transitions.Add(1, new KeyValuePair<string, object?>("state", to.ToString().ToLowerInvariant()));
        Track(instanceId, to);
    }

    /// <summary>An instance's state for the gauge only (a new instance starts booting without a transition).</summary>
    public void Track(string instanceId, InstanceState state)
    {
        if (state is InstanceState.Terminated or InstanceState.Error)
        {
            _live.TryRemove(instanceId, out _);
        }
        else
        {
            _live[instanceId] = state;
        }
    }

    private IEnumerable<Measurement<long>> CountLive()
    {
        var states = _live.Values.ToList();
        foreach (var state in LiveStates)
        {
            yield return new Measurement<long>(states.Count(s => s == state), new KeyValuePair<string, object?>("state", state.ToString().ToLowerInvariant()));
        }
    }
}
