using System.Net.Http.Json;
using System.Text.Json;
using Famiglia.TestKit;

namespace Aegis.Cli.Tests;

/// <summary>A real aegisd (<see cref="AegisDaemonProcess"/>) with its own temp data dir, plus the CLI pointed at
/// it; disposing it stops the daemon and deletes the data dir.</summary>
public sealed class AegisdProcess : IAsyncDisposable
{
    private readonly TempDirectory _data;
    private readonly AegisDaemonProcess _daemon;

    private AegisdProcess(TempDirectory data, AegisDaemonProcess daemon)
    {
        _data = data;
        _daemon = daemon;
        Api = daemon.CreateClient();
    }

    public string Url => _daemon.BaseAddress.ToString().TrimEnd('/');

    public string DataDirectory => _data.Path;

    public string TokenFile => _data.Combine("token");

    /// <summary>The management API, authorized.</summary>
    public HttpClient Api { get; }

    public static async Task<AegisdProcess> StartAsync(IEnumerable<string>? settings = null)
    {
        var data = TempDirectory.Create("aegis-cli");
        try
        {
            return new AegisdProcess(data, await AegisDaemonProcess.StartAsync(data.Path, settings: settings));
        }
        catch
        {
            data.Dispose();
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
        Api.Dispose();
        await _daemon.DisposeAsync();
        _data.Dispose();
    }
}
