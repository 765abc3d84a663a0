using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Famiglia.TestKit;

namespace Aegis.Cli.Tests;

/// <summary>A real aegisd (<c>dotnet aegisd.dll</c>) on a free loopback port with a temp data dir; disposing it
/// stops it (SIGTERM, then SIGKILL) and deletes the data dir.</summary>
public sealed class AegisdProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly TempDirectory _data;
    private readonly StringBuilder _log = new();

    private AegisdProcess(Process process, TempDirectory data, int port)
    {
        _process = process;
        _data = data;
        Url = $"http://127.0.0.1:{port}";
        Api = new HttpClient { BaseAddress = new Uri(Url), Timeout = TimeSpan.FromSeconds(60) };
    }

    public string Url { get; }

    public string DataDirectory => _data.Path;

    public string TokenFile => _data.Combine("token");

    /// <summary>The management API, authorized once the daemon is up.</summary>
    public HttpClient Api { get; }

    public static async Task<AegisdProcess> StartAsync()
    {
        var data = TempDirectory.Create("aegis-cli");
        var port = FreePort.Next();
        var info = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { DaemonDll(), $"--Aegis:DataDirectory={data.Path}", $"--urls=http://127.0.0.1:{port}" })
        {
            info.ArgumentList.Add(argument);
        }

        var daemon = new AegisdProcess(Process.Start(info)!, data, port);
        try
        {
            daemon.CaptureOutput();
            await daemon.WaitUntilHealthyAsync();
            daemon.Api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", (await File.ReadAllTextAsync(daemon.TokenFile)).Trim());
            return daemon;
        }
        catch
        {
            await daemon.DisposeAsync();
            throw;
        }
    }

    /// <summary>Runs <c>aegis --url … --token-file … ARGS</c> in-process against this daemon (the options go first:
    /// after a <c>--</c> in ARGS they would be the task's arguments).</summary>
    public Task<CliResult> RunCliAsync(params string[] args) => CliResult.RunAsync(["--url", Url, "--token-file", TokenFile, .. args]);

    /// <summary>Installs a minimal kit and registers an app of it that sleeps; returns the app id.</summary>
    public async Task<string> CreateSleepingAppAsync(string kit, string name)
    {
        (await Api.PostAsJsonAsync("/v1/kits", new { manifest = Manifests.Minimal(kit) })).EnsureSuccessStatusCode();
        var created = await Api.PostAsJsonAsync("/v1/apps", new { kit, name, config = new { command = new[] { "sleep", "600" }, healthCheck = "process" } });
        var body = await created.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(created.IsSuccessStatusCode, body.ToString());
        return body.GetProperty("appId").GetString()!;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                // SIGTERM lets aegisd terminate its sandboxes; SIGKILL would leave them behind.
                using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
                {
                    await kill.WaitForExitAsync();
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
            Api.Dispose();
            _data.Dispose();
        }
    }

    private static string DaemonDll()
    {
        var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name; // bin/<Configuration>/net10.0
        return RepositoryPaths.Combine("src", "Aegis.Daemon", "bin", configuration, "net10.0", "aegisd.dll");
    }

    private void CaptureOutput()
    {
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    private void Append(string? line)
    {
        lock (_log)
        {
            _log.AppendLine(line);
        }
    }

    private async Task WaitUntilHealthyAsync()
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            Assert.False(_process.HasExited, $"aegisd exited during start-up:\n{_log}");
            try
            {
                if ((await Api.GetAsync("/healthz")).IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"aegisd did not answer on {Url}/healthz:\n{_log}");
            }

            await Task.Delay(100);
        }
    }
}
