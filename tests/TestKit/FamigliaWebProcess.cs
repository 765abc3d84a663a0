namespace Famiglia.TestKit;

/// <summary>famiglia-web as a real child process with its own data directory, seeded with the demo group
/// (<c>feldmans</c>), listening on a free loopback port.</summary>
public sealed class FamigliaWebProcess : IAsyncDisposable
{
    private readonly ServiceProcess _process;
    private readonly TempDirectory _data;
    private readonly string _dll;

    private FamigliaWebProcess(ServiceProcess process, TempDirectory data, string dll)
    {
        _process = process;
        _data = data;
        _dll = dll;
    }

    public int Port => _process.Port;

    public Uri BaseAddress => _process.BaseAddress;

    public string DataDirectory => _data.Path;

    /// <summary>Seeds the demo data and starts the server. Chat (ejabberd) and aegisd are off unless
    /// <paramref name="settings"/> turn them on (<c>--Famiglia:ChatEnabled=true</c>, ...).</summary>
    public static async Task<FamigliaWebProcess> StartSeededAsync(int? port = null, IEnumerable<string>? settings = null)
    {
        var dll = ServiceProcess.BuiltDll("Famiglia.Web", "famiglia-web");
        var data = TempDirectory.Create("famiglia-web-");
        var seeded = await ServiceProcess.RunToEndAsync(dll, "seed-demo", $"--Famiglia:DataDirectory={data.Path}", "--Famiglia:ChatEnabled=false");
        if (seeded.ExitCode != 0)
        {
            data.Dispose();
            throw new InvalidOperationException($"famiglia-web seed-demo failed ({seeded.ExitCode}): {seeded.Error}");
        }

        var listen = port ?? FreePort.Next();
        var process = await ServiceProcess.StartAsync("famiglia-web", dll, listen,
            [$"--Famiglia:DataDirectory={data.Path}", $"--urls=http://127.0.0.1:{listen}", "--Logging:LogLevel:Default=Warning",
             // Isolated unless the caller connects it: no ejabberd provisioning, no aegisd (a dev stack may run on the defaults).
             "--Famiglia:ChatEnabled=false", "--Famiglia:Aegis:Enabled=false", .. settings ?? []]);
        return new FamigliaWebProcess(process, data, dll);
    }

    /// <summary>Issues a Data API key for a new agent (the operations command; the server sees it at once).</summary>
    public async Task<string> IssueApiKeyAsync(string agent, string group = "feldmans", string room = "photos")
    {
        var (exitCode, output, error) = await ServiceProcess.RunToEndAsync(_dll, "issue-api-key", "--group", group, "--agent", agent, "--room", room,
            $"--Famiglia:DataDirectory={_data.Path}");
        return exitCode == 0 ? output.Trim() : throw new InvalidOperationException($"issue-api-key failed ({exitCode}): {error}");
    }

    public string Output() => _process.Output();

    public bool HasExited => _process.HasExited;

    public async ValueTask DisposeAsync()
    {
        await _process.DisposeAsync();
        _data.Dispose();
    }
}
