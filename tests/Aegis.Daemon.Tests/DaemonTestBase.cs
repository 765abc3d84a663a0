using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Aegis.Daemon.Tests;

/// <summary>One daemon per test class; helpers to install kits and create apps.</summary>
public abstract class DaemonTestBase : IAsyncLifetime
{
    /// <summary>The test kit <c>testkit</c> (no hooks, no image installed: the host's /usr).</summary>
    internal const string MinimalKit = """
        name: testkit
        version: 1.0.0
        image:
          base: aegis/base:latest
        routing:
          scheme: "/agent/{agentId}/{path}"
          websocket: true
          expose:
            - port: 80
              protocol: http
              ui: true
        networking:
          egress: deny
        resources:
          memory: 128mb
          cpu: 1
          disk: 1gb
          max_agents_per_group: 2
        """;

    protected AegisDaemonFactory Daemon { get; private set; } = null!;

    protected HttpClient Api { get; private set; } = null!;

    public virtual async Task InitializeAsync()
    {
        Daemon = CreateDaemon();
        Api = Daemon.CreateAuthorizedClient();
        (await Api.PostAsJsonAsync("/v1/kits", new { manifest = MinimalKit })).EnsureSuccessStatusCode();
    }

    public virtual async Task DisposeAsync()
    {
        Api.Dispose();
        await Daemon.DisposeAsync();
        Directory.Delete(Daemon.DataDirectory, recursive: true);
    }

    protected virtual AegisDaemonFactory CreateDaemon() => new();

    /// <summary>Creates an app whose sandbox runs <paramref name="command"/>, served (the router wakes it) unless
    /// <paramref name="served"/> is false; returns its id.</summary>
    protected async Task<string> CreateAppAsync(string name, string[] command, string? group = null, Dictionary<string, string>? secrets = null, string healthCheck = "tcp", string kit = "testkit", bool served = true)
    {
        var config = new JsonObject { ["command"] = new JsonArray(command.Select(c => (JsonNode)c).ToArray()), ["healthCheck"] = healthCheck };
        if (group is not null)
        {
            config["group"] = group;
        }

        var response = await Api.PostAsJsonAsync("/v1/apps", new { kit, name, config, secrets });
        response.EnsureSuccessStatusCode();
        var appId = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("appId").GetString()!;
        if (served)
        {
            (await Api.PostAsync($"/v1/apps/{appId}/serve", null)).EnsureSuccessStatusCode();
        }

        return appId;
    }

    protected async Task<JsonElement> EnsureAsync(string appId)
    {
        var response = await Api.PostAsJsonAsync("/v1/instances/ensure", new { appId });
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(response.IsSuccessStatusCode, body.ToString());
        return body;
    }

    protected async Task<JsonElement> GetJsonAsync(string path)
    {
        var response = await Api.GetAsync(path);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(response.IsSuccessStatusCode, body.ToString());
        return body;
    }

    /// <summary>What the app's sandbox wrote into its workspace file <paramref name="name"/>, once it has written a
    /// whole line; the guard only prevents a hang.</summary>
    protected async Task<string> WorkspaceFileAsync(string appId, string name)
    {
        var path = Path.Combine(Daemon.DataDirectory, "apps", appId, "volume", "workspace", name);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!File.Exists(path) || !(await File.ReadAllTextAsync(path)).Contains('\n', StringComparison.Ordinal))
        {
            Assert.True(DateTime.UtcNow < deadline, $"the sandbox never wrote {name}");
            await Task.Delay(50);
        }

        return await File.ReadAllTextAsync(path);
    }

    /// <summary>Polls until the instance reaches a state; the guard only prevents a hang.</summary>
    protected async Task<JsonElement> WaitForStateAsync(string instanceId, string state)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var instance = await GetJsonAsync($"/v1/instances/{instanceId}");
            if (instance.GetProperty("state").GetString() == state)
            {
                return instance;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{instanceId} did not become {state}: {instance}");
            }

            await Task.Delay(50);
        }
    }

    /// <summary>Reads the SSE stream from the start until <paramref name="until"/> appears (or the hang guard).</summary>
    protected async Task<string> ReadEventsAsync(string until)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var response = await Api.GetAsync("/v1/events?after=0", HttpCompletionOption.ResponseHeadersRead, cts.Token);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cts.Token));
        var text = new System.Text.StringBuilder();
        while (await reader.ReadLineAsync(cts.Token) is { } line)
        {
            text.AppendLine(line);
            if (line.Contains(until, StringComparison.Ordinal))
            {
                break;
            }
        }

        return text.ToString();
    }

    protected static string[] HttpServer(string directory = "/workspace") => ["python3", "-m", "http.server", "80", "--bind", "0.0.0.0", "--directory", directory];

    /// <summary>A .tar.gz of the given files, as <c>POST /v1/apps/{id}/releases</c> takes it.</summary>
    protected static byte[] TarGz(params (string Name, string Content)[] files)
    {
        using var output = new MemoryStream();
        using (var gzip = new System.IO.Compression.GZipStream(output, System.IO.Compression.CompressionLevel.Fastest, leaveOpen: true))
        using (var tar = new System.Formats.Tar.TarWriter(gzip))
        {
            foreach (var (name, content) in files)
            {
                var entry = new System.Formats.Tar.PaxTarEntry(System.Formats.Tar.TarEntryType.RegularFile, name)
                {
                    DataStream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(content)),
                };
                tar.WriteEntry(entry);
            }
        }

        return output.ToArray();
    }
}
