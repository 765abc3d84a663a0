using System.Diagnostics;
using System.Globalization;

namespace Famiglia.Xmpp.Bench;

/// <summary>CPU time of the private ejabberd (its beam.smp process), read from /proc, so a burst can be
/// costed per message on the server as well as in the client.</summary>
internal sealed class ServerCpu
{
    private readonly int? _pid;
    private readonly double _ticksPerSecond;

    private ServerCpu(int? pid, double ticksPerSecond)
    {
        _pid = pid;
        _ticksPerSecond = ticksPerSecond;
    }

    public int? Pid => _pid;

    /// <summary>Finds the beam.smp whose command line names <paramref name="nodeName"/>; without one, every reading is zero.</summary>
    public static ServerCpu Find(string nodeName)
    {
        var shortName = nodeName.Split('@')[0];
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }

            try
            {
                var cmdline = File.ReadAllText(Path.Combine(dir, "cmdline"));
                if (cmdline.Contains("beam", StringComparison.Ordinal) && cmdline.Contains(shortName, StringComparison.Ordinal))
                {
                    return new ServerCpu(pid, TicksPerSecond());
                }
            }
            catch (IOException)
            {
                // The process ended while we looked.
            }
            catch (UnauthorizedAccessException)
            {
                // Not ours to read.
            }
        }

        Console.Error.WriteLine($"bench: no beam.smp found for {nodeName}; ejabberd CPU is not reported");
        return new ServerCpu(null, 100);
    }

    /// <summary>User + system CPU time used by ejabberd so far (10 ms resolution with the usual 100 Hz ticks).</summary>
    public TimeSpan Total()
    {
        if (_pid is not { } pid)
        {
            return TimeSpan.Zero;
        }

        var stat = File.ReadAllText($"/proc/{pid}/stat");
        // Fields after the parenthesized command name: state is field 3, utime 14, stime 15.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        return TimeSpan.FromSeconds(ticks / _ticksPerSecond);
    }

    private static double TicksPerSecond()
    {
        var info = new ProcessStartInfo("getconf", ["CLK_TCK"]) { RedirectStandardOutput = true, UseShellExecute = false };
        using var process = Process.Start(info)!;
        var text = process.StandardOutput.ReadToEnd().Trim();
        process.WaitForExit();
        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var hz) && hz > 0 ? hz : 100;
    }
}
