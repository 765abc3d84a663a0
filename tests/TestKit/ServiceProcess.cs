using System.Diagnostics;

namespace Famiglia.TestKit;

/// <summary>One of the solution's servers (a built <c>.dll</c>) as a real child process on a free loopback port: started,
/// waited for until <c>/healthz</c> answers, stopped with SIGTERM (SIGKILL after 30 s). Output is kept for errors.</summary>
public sealed class ServiceProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _name;
    private readonly System.Text.StringBuilder _output = new();

    private ServiceProcess(Process process, string name, int port)
    {
        _process = process;
        _name = name;
        Port = port;
    }

    public int Port { get; }

    public Uri BaseAddress => new($"http://127.0.0.1:{Port}");

    public bool HasExited => _process.HasExited;

    /// <summary>The built dll of <c>src/{project}</c> in the configuration the tests run in.</summary>
    public static string BuiltDll(string project, string assembly) => BuiltDll("src", project, assembly);

    /// <summary>The built dll of <c>{folder}/{project}</c> (e.g. <c>templates/echo</c>) in the tests' configuration.</summary>
    public static string BuiltDll(string folder, string project, string assembly)
    {
        var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name; // bin/<Configuration>/net10.0
        var dll = RepositoryPaths.Combine(folder, project, "bin", configuration, "net10.0", assembly + ".dll");
        return File.Exists(dll) ? dll : throw new FileNotFoundException($"{dll} is not built; build Aegis.slnx in {configuration} first.", dll);
    }

    /// <summary>Runs the dll to completion (an operations command) and returns its exit code, stdout and stderr.</summary>
    public static Task<(int ExitCode, string Output, string Error)> RunToEndAsync(string dll, params string[] arguments) =>
        RunProgramToEndAsync("dotnet", [dll, .. arguments]);

    /// <summary>Runs an executable to completion and returns its exit code, stdout and stderr.</summary>
    public static async Task<(int ExitCode, string Output, string Error)> RunProgramToEndAsync(string program, params string[] arguments)
    {
        var info = new ProcessStartInfo(program) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await output, await error);
    }

    /// <summary>Starts the dll with <paramref name="arguments"/> (which must make it listen on <paramref name="port"/>)
    /// and waits until <c>/healthz</c> answers.</summary>
    public static async Task<ServiceProcess> StartAsync(string name, string dll, int port, IEnumerable<string> arguments)
    {
        var info = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(dll);
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        var process = Process.Start(info)!;
        var service = new ServiceProcess(process, name, port);
        process.OutputDataReceived += (_, e) => service.Capture(e.Data);
        process.ErrorDataReceived += (_, e) => service.Capture(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await service.WaitHealthyAsync();
        }
        catch
        {
            await service.DisposeAsync();
            throw;
        }

        return service;
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

    /// <summary>What the process printed so far (the first 64 KiB).</summary>
    public string Output()
    {
        lock (_output)
        {
            return _output.ToString();
        }
    }

    /// <summary>Stops it as an operator would: SIGTERM, SIGKILL after 30 s.</summary>
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

    private async Task WaitHealthyAsync()
    {
        using var probe = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            if (_process.HasExited)
            {
                // Waits for the end of the redirected output too, so its last lines (why it exited) are in Output().
                await _process.WaitForExitAsync();
                throw new InvalidOperationException($"{_name} exited with code {_process.ExitCode} while starting:\n{Output()}");
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
                throw new TimeoutException($"{_name} did not answer /healthz within 60 s:\n{Output()}");
            }

            await Task.Delay(100);
        }
    }
}
