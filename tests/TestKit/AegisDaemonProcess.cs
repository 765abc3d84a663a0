using System.Net.Http.Headers;

namespace Famiglia.TestKit;

/// <summary>aegisd as a real child process (the solution's build of src/Aegis.Daemon) on a free loopback port,
/// for tests and load tools that must kill it, restart it, or measure it from outside.</summary>
public sealed class AegisDaemonProcess : IAsyncDisposable
{
    private readonly ServiceProcess _process;

    private AegisDaemonProcess(ServiceProcess process, string dataDirectory)
    {
        _process = process;
        DataDirectory = dataDirectory;
    }

    public string DataDirectory { get; }

    public int Port => _process.Port;

    public Uri BaseAddress => _process.BaseAddress;

    public bool HasExited => _process.HasExited;

    /// <summary>Starts aegisd and waits until /healthz answers.</summary>
    public static async Task<AegisDaemonProcess> StartAsync(string dataDirectory, int? port = null, IEnumerable<string>? settings = null)
    {
        var listen = port ?? FreePort.Next();
        var process = await ServiceProcess.StartAsync("aegisd", ServiceProcess.BuiltDll("Aegis.Daemon", "aegisd"), listen,
            [$"--Aegis:DataDirectory={dataDirectory}", $"--urls=http://127.0.0.1:{listen}", "--Logging:LogLevel:Default=Warning", .. settings ?? []]);
        return new AegisDaemonProcess(process, dataDirectory);
    }

    /// <summary>An HTTP client with the daemon's bearer token.</summary>
    public HttpClient CreateClient()
    {
        var client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", File.ReadAllText(Path.Combine(DataDirectory, "token")).Trim());
        return client;
    }

    /// <summary>What the daemon printed so far.</summary>
    public string Output() => _process.Output();

    /// <summary>SIGKILL: no shutdown code runs.</summary>
    public Task KillAsync() => _process.KillAsync();

    /// <summary>Stops it as an operator would: SIGTERM (aegisd terminates its sandboxes), SIGKILL after 30 s.</summary>
    public ValueTask DisposeAsync() => _process.DisposeAsync();
}
