namespace Famiglia.Xmpp.Bench;

internal sealed record LatencyResult(int Count, double P50Ms, double P99Ms, double MeanMs, double MaxMs)
{
    public static LatencyResult From(List<double> samples)
    {
        samples.Sort();
        return new LatencyResult(samples.Count, Percentile(samples, 0.50), Percentile(samples, 0.99), samples.Average(), samples[^1]);
    }

    private static double Percentile(List<double> sorted, double p) => sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];
}

internal sealed record BurstResult(int Sent, int Received, double Seconds, double PerSecond, bool Stalled)
{
    /// <summary>CPU time of the client process (both occupants) from the first send to the last receipt, per message.</summary>
    public double ClientCpuUsPerMessage { get; init; } = double.NaN;

    /// <summary>CPU time of ejabberd over the same span, per message.</summary>
    public double ServerCpuUsPerMessage { get; init; } = double.NaN;
}

internal sealed record Scenario(bool WebSocket, bool Archive)
{
    public string Transport => WebSocket ? "websocket" : "tcp";

    public string Name => $"{Transport}-{(Archive ? "mam" : "nomam")}";
}

internal sealed record RunResult(string Client, Scenario Scenario, LatencyResult Latency, BurstResult Burst);
