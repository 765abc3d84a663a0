using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Famiglia.TestKit;

/// <summary>One wrk measurement: requests per second and latency percentiles in milliseconds.</summary>
public sealed record WrkResult(double Rps, double P50, double P99);

/// <summary>Runs Debian's <c>wrk</c> for the HTTP load benches and reads its report.</summary>
public static partial class Wrk
{
    /// <summary>One run of <c>wrk -t2 -cN -dSs --latency</c>; a non-2xx/3xx answer or a socket error fails it.</summary>
    public static async Task<WrkResult> RunAsync(string url, int connections, int seconds, IEnumerable<string>? headers = null)
    {
        List<string> arguments = ["-t2", $"-c{connections}", $"-d{seconds}s", "--latency"];
        foreach (var header in headers ?? [])
        {
            arguments.AddRange(["-H", header]);
        }

        arguments.Add(url);
        using var wrk = Process.Start(new ProcessStartInfo("wrk", arguments) { RedirectStandardOutput = true, UseShellExecute = false })
            ?? throw new InvalidOperationException("wrk did not start (apt-get install -y wrk).");
        var output = await wrk.StandardOutput.ReadToEndAsync();
        await wrk.WaitForExitAsync();
        if (Errors().IsMatch(output))
        {
            throw new InvalidOperationException($"wrk saw errors against {url}:\n{output}");
        }

        var rps = double.Parse(RequestsPerSecond().Match(output).Groups[1].Value, CultureInfo.InvariantCulture);
        return new WrkResult(rps, Latency(output, "50%"), Latency(output, "99%"));
    }

    /// <summary>Warms every target, then measures them <paramref name="rounds"/> times in alternation and keeps each
    /// target's best run, so a noisy moment on a small machine does not decide the comparison.</summary>
    public static async Task<Dictionary<string, WrkResult>> BestOfAsync(
        IReadOnlyList<(string Label, string Url)> targets, int connections, int seconds, int warmSeconds, int rounds = 2, IEnumerable<string>? headers = null)
    {
        var headerList = headers?.ToList();
        foreach (var (_, url) in targets)
        {
            await RunAsync(url, connections, warmSeconds, headerList);
        }

        var best = new Dictionary<string, WrkResult>();
        for (var round = 0; round < rounds; round++)
        {
            foreach (var (label, url) in targets)
            {
                var run = await RunAsync(url, connections, seconds, headerList);
                if (!best.TryGetValue(label, out var kept) || run.Rps > kept.Rps)
                {
                    best[label] = run;
                }
            }
        }

        return best;
    }

    private static double Latency(string output, string percentile)
    {
        var match = Regex.Match(output, $@"{Regex.Escape(percentile)}\s+([\d.]+)(us|ms|s)");
        var value = double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        return match.Groups[2].Value switch { "us" => value / 1000, "s" => value * 1000, _ => value };
    }

    [GeneratedRegex(@"Non-2xx or 3xx responses|Socket errors")]
    private static partial Regex Errors();

    [GeneratedRegex(@"Requests/sec:\s+([\d.]+)")]
    private static partial Regex RequestsPerSecond();
}
