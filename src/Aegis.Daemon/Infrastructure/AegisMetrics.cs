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
        _ensure = meter.CreateHistogram<double>("aegis.ensure.duration", "s", "Time for ensure to return a running instance, by path (cold, resume, existing).");
        _transitions = meter.CreateCounter<long>("aegis.instance.transitions", description: "Instance state changes, by target state.");
    }

    public void Ensured(string path, TimeSpan elapsed) => _ensure.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>("path", path));

    public void Transition(Aegis.Core.Instances.InstanceState to) =>
        _transitions.Add(1, new KeyValuePair<string, object?>("state", to.ToString().ToLowerInvariant()));
}
