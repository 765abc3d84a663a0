using System.Diagnostics.Metrics;

namespace Aegis.Daemon.Infrastructure;

/// <summary>aegisd's instruments, exported at /metrics (Prometheus).</summary>
internal sealed class AegisMetrics
{
    public const string MeterName = "Aegis.Daemon";
    private readonly Histogram<double> _ensure;
    private readonly Counter<long> _transitions;

    public AegisMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        _ensure = meter.CreateHistogram<double>("aegis.ensure.duration", "s", "Time for ensure to return a running instance, by path (cold, resume, existing).",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30] });
        _transitions = meter.CreateCounter<long>("aegis.instance.transitions", description: "Instance state changes, by target state.");
    }

    public void Ensured(string path, TimeSpan elapsed) => _ensure.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>("path", path));

    public void Transition(Aegis.Core.Instances.InstanceState to) =>
        _transitions.Add(1, new KeyValuePair<string, object?>("state", to.ToString().ToLowerInvariant()));
}
