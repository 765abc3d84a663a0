using System.Diagnostics;
using System.Text;

namespace Famiglia.TestKit;

/// <summary>The built famiglia-harness run as a plain host process (no sandbox) with exactly the given environment.</summary>
public sealed class HarnessProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly TaskCompletionSource _joined = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private readonly Stopwatch _sinceStart = Stopwatch.StartNew();

    private HarnessProcess(Process process) => _process = process;

    public int Pid => _process.Id;

    /// <summary>From starting the process to its "joined" log line (process start, runtime start, connect, join).</summary>
    public TimeSpan? JoinedAfter { get; private set; }

    public int ExitCode => _process.ExitCode;

    public bool HasExited => _process.HasExited;

    public static HarnessProcess Start(IReadOnlyDictionary<string, string> environment)
    {
        // FAMIGLIA_HARNESS names another build to run (e.g. a NativeAOT executable for the bench).
        var executable = Environment.GetEnvironmentVariable("FAMIGLIA_HARNESS");
        var info = new ProcessStartInfo(executable ?? "dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        if (executable is null)
        {
            info.ArgumentList.Add(ServiceProcess.BuiltDll("Famiglia.Harness", "famiglia-harness"));
        }
        info.Environment.Clear();
        info.Environment["PATH"] = "/usr/local/bin:/usr/bin:/bin";
        info.Environment["HOME"] = Path.GetTempPath();
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        foreach (var (name, value) in environment)
        {
            info.Environment[name] = value;
        }

        var harness = new HarnessProcess(Process.Start(info)!);
        harness._process.OutputDataReceived += (_, e) => harness.Capture(e.Data);
        harness._process.ErrorDataReceived += (_, e) => harness.Capture(e.Data);
        harness._process.BeginOutputReadLine();
        harness._process.BeginErrorReadLine();
        return harness;
    }

    /// <summary>Completes when the harness logs that it joined its room.</summary>
    public Task Joined => _joined.Task.WaitAsync(TimeSpan.FromSeconds(60));

    public string Output()
    {
        lock (_output)
        {
            return _output.ToString();
        }
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        await _process.WaitForExitAsync().WaitAsync(timeout);
        _process.WaitForExit(); // drains the output readers
        return _process.ExitCode;
    }

    public void Signal(int signal)
    {
        using var kill = Process.Start("kill", [$"-{signal}", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!;
        kill.WaitForExit();
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private void Capture(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }

        if (line.Contains("joined ", StringComparison.Ordinal) && line.Contains(" after start", StringComparison.Ordinal))
        {
            JoinedAfter ??= _sinceStart.Elapsed;
            _joined.TrySetResult();
        }
    }
}
