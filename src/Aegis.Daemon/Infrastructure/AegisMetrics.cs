using System.Diagnostics.Metrics;

namespace Aegis.Daemon.Infrastructure;

/// <summary>aegisd's instruments, exported at /metrics (Prometheus).</summary>
internal sealed class AegisMetrics
{
    public const string MeterName = "Aegis.Daemon";
    private readonly Histogram<double> _ensure;
    private readonly Counter<long> _transitions;
    private readonly Counter<long> _routerRequests;
    private readonly Histogram<double> _routerDuration;
    private readonly Histogram<double> _wakeWaits;
    private readonly UpDownCounter<long> _routerOpen;

    public AegisMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        _ensure = meter.CreateHistogram<double>("aegis.ensure.duration", "s", "Time for ensure to return a running instance, by path (cold, resume, existing).",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30] });
        _transitions = meter.CreateCounter<long>("aegis.instance.transitions", description: "Instance state changes, by target state.");
        _routerRequests = meter.CreateCounter<long>("aegis.router.requests", description: "Requests through the router, by outcome (hot, woken, not_found, unavailable, proxy_error).");
        _routerDuration = meter.CreateHistogram<double>("aegis.router.duration", "s", "Time from a routed request's arrival to the end of its response (WebSockets: to their close), by outcome.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30] });
        _wakeWaits = meter.CreateHistogram<double>("aegis.router.wake.duration", "s", "Time a routed request waited for its app to wake, by outcome (ok, timeout, failed, not_found, abandoned).",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30] });
        _routerOpen = meter.CreateUpDownCounter<long>("aegis.router.open", description: "Routed requests and WebSockets open right now.");
    }

    public void Ensured(string path, TimeSpan elapsed) => _ensure.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>("path", path));

    public void Routed(string outcome, TimeSpan elapsed)
    {
        var tag = new KeyValuePair<string, object?>("outcome", outcome);
        _routerRequests.Add(1, tag);
        _routerDuration.Record(elapsed.TotalSeconds, tag);
    }

    public void WakeWaited(string outcome, TimeSpan elapsed) => _wakeWaits.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>("outcome", outcome));

    public void RouterOpened() => _routerOpen.Add(1);

    public void RouterClosed() => _routerOpen.Add(-1);

    public void Transition(Aegis.Core.Instances.InstanceState to) =>
        _transitions.Add(1, new KeyValuePair<string, object?>("state", to.ToString().ToLowerInvariant()));
}
