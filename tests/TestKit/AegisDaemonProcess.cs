using System.Diagnostics;
using System.Net.Http.Headers;

namespace Famiglia.TestKit;

/// <summary>aegisd as a real child process (the solution's build of src/Aegis.Daemon) on a free loopback port,
/// for tests and load tools that must kill it, restart it, or measure it from outside.</summary>
public sealed class AegisDaemonProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly System.Text.StringBuilder _output = new();

    private AegisDaemonProcess(Process process, string dataDirectory, int port)
    {
        _process = process;
        DataDirectory = dataDirectory;
        Port = port;
    }

    public string DataDirectory { get; }

    public int Port { get; }

    public Uri BaseAddress => new($"http://127.0.0.1:{Port}");

    public bool HasExited => _process.HasExited;

    /// <summary>Starts aegisd and waits until /healthz answers.</summary>
    public static async Task<AegisDaemonProcess> StartAsync(string dataDirectory, int? port = null)
    {
        var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name; // bin/<Configuration>/net10.0
        var dll = RepositoryPaths.Combine("src", "Aegis.Daemon", "bin", configuration, "net10.0", "aegisd.dll");
        if (!File.Exists(dll))
        {
            throw new FileNotFoundException($"{dll} is not built; build Aegis.slnx in {configuration} first.", dll);
        }

        var listen = port ?? FreePort.Next();
        var info = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { dll, $"--Aegis:DataDirectory={dataDirectory}", $"--urls=http://127.0.0.1:{listen}", "--Logging:LogLevel:Default=Warning" })
        {
            info.ArgumentList.Add(argument);
        }

        var process = Process.Start(info)!;
        var daemon = new AegisDaemonProcess(process, dataDirectory, listen);
        process.OutputDataReceived += (_, e) => daemon.Capture(e.Data);
        process.ErrorDataReceived += (_, e) => daemon.Capture(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await daemon.WaitHealthyAsync();
        }
        catch
        {
            await daemon.DisposeAsync();
            throw;
        }

        return daemon;
    }

    /// <summary>An HTTP client with the daemon's bearer token.</summary>
    public HttpClient CreateClient()
    {
        var client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", File.ReadAllText(Path.Combine(DataDirectory, "token")).Trim());
        return client;
    }

    /// <summary>SIGKILL: no shutdown code runs.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }
    }

    /// <summary>Stops it as an operator would: SIGTERM (aegisd terminates its sandboxes), SIGKILL after 30 s.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                using (var term = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!)
                {
                    await term.WaitForExitAsync();
                }

                using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(30));
                try
                {
                    await _process.WaitForExitAsync(grace.Token);
                }
                catch (OperationCanceledException)
                {
                    _process.Kill(entireProcessTree: true);
                    await _process.WaitForExitAsync();
                }
            }
        }
        finally
        {
            _process.Dispose();
        }
    }

    private void Capture(string? line)
    {
        lock (_output)
        {
            if (line is not null && _output.Length < 64 * 1024)
            {
                _output.AppendLine(line);
            }
        }
    }

    private string Output()
    {
        lock (_output)
        {
            return _output.ToString();
        }
    }

    private async Task WaitHealthyAsync()
    {
        using var probe = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"aegisd exited with code {_process.ExitCode} while starting:\n{Output()}");
            }

            try
            {
                if ((await probe.GetAsync("/healthz")).IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException)
            {
                // Slow start.
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"aegisd did not answer /healthz within 60 s:\n{Output()}");
            }

            await Task.Delay(100);
        }
    }
}
