using System.Diagnostics;
using System.Net.Http.Headers;

namespace Famiglia.TestKit;

/// <summary>aegisd as a real child process (the solution's build of src/Aegis.Daemon) on a free loopback port,
/// for tests and load tools that must kill it, restart it, or measure it from outside.</summary>
public sealed class AegisDaemonProcess : IDisposable
{
    private readonly Process _process;

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
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var daemon = new AegisDaemonProcess(process, dataDirectory, listen);
        try
        {
            await daemon.WaitHealthyAsync();
        }
        catch
        {
            daemon.Dispose();
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

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }

        _process.Dispose();
    }

    private async Task WaitHealthyAsync()
    {
        using var probe = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"aegisd exited with code {_process.ExitCode} while starting.");
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
                throw new TimeoutException("aegisd did not answer /healthz within 60 s.");
            }

            await Task.Delay(100);
        }
    }
}
