using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Famiglia.TestKit;

// Lifecycle latency and idle footprint of aegisd's bwrap sandboxes, measured over its HTTP API.
// Needs a Release build of the solution (aegisd.dll):
//   dotnet build -c Release Aegis.slnx && dotnet run -c Release --no-build --project bench/Aegis.Bench -- [--apps 30] [--cycles 50] [--idle 10]
var apps = BenchArgs.Int(args, "--apps", 30);
var cycles = BenchArgs.Int(args, "--cycles", 50);
var idle = BenchArgs.Int(args, "--idle", 10);

using var data = TempDirectory.Create("aegis-bench");
await using var daemon = await AegisDaemonProcess.StartAsync(data.Path);
using var api = daemon.CreateClient();
(await api.PostAsJsonAsync("/v1/kits", new
{
    manifest = """
        name: benchkit
        version: 1.0.0
        image:
          base: aegis/base:latest
        resources:
          memory: 128mb
          cpu: 1
          disk: 1gb
        """,
})).EnsureSuccessStatusCode();

var results = new List<string>();

// Cold ensure of a minimal sandbox (`sleep`, process health) and of one serving HTTP on port 80 (tcp health).
foreach (var (label, command, health) in new[]
{
    ("minimal (sleep)", new[] { "sleep", "3600" }, "process"),
    ("http server on :80 (python3)", new[] { "python3", "-m", "http.server", "80", "--bind", "0.0.0.0" }, "tcp"),
})
{
    var samples = new List<double>();
    var instances = new List<string>();
    for (var i = 0; i < apps; i++)
    {
        var appId = await CreateAppAsync(command, health);
        var started = Stopwatch.GetTimestamp();
        var instance = await EnsureAsync(appId);
        samples.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        instances.Add(instance);
    }

    results.Add(Row($"cold ensure → healthy, {label}", samples));
    foreach (var id in instances)
    {
        (await api.PostAsync($"/v1/instances/{id}/terminate", null)).EnsureSuccessStatusCode();
    }
}

// Pause and resume through the API (HTTP round trip included) of one running sandbox.
{
    var instance = await EnsureAsync(await CreateAppAsync(["sh", "-c", "while :; do sleep 0.05; done"], "process"));
    var pauses = new List<double>();
    var resumes = new List<double>();
    for (var i = 0; i < cycles; i++)
    {
        var started = Stopwatch.GetTimestamp();
        (await api.PostAsync($"/v1/instances/{instance}/pause", null)).EnsureSuccessStatusCode();
        pauses.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        started = Stopwatch.GetTimestamp();
        (await api.PostAsync($"/v1/instances/{instance}/resume", null)).EnsureSuccessStatusCode();
        resumes.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
    }

    results.Add(Row("pause (API)", pauses));
    results.Add(Row("resume (API)", resumes));
    (await api.PostAsync($"/v1/instances/{instance}/terminate", null)).EnsureSuccessStatusCode();
}

// Host memory of idle sandboxes: the memory cgroup's usage (every process of the sandbox, bwrap included).
{
    var ids = new List<string>();
    for (var i = 0; i < idle; i++)
    {
        ids.Add(await EnsureAsync(await CreateAppAsync(["sleep", "3600"], "process")));
    }

    await Task.Delay(1000);
    var usage = ids.Select(id => double.Parse(File.ReadAllText($"/sys/fs/cgroup/memory/aegis/{id}/memory.usage_in_bytes"), CultureInfo.InvariantCulture) / 1024 / 1024).ToList();
    var rss = ids.Select(id => File.ReadAllLines($"/sys/fs/cgroup/memory/aegis/{id}/cgroup.procs")
        .Sum(pid => RssKiB(pid)) / 1024.0).ToList();
    results.Add(string.Create(CultureInfo.InvariantCulture,
        $"| idle sandbox memory ({idle} × sleep) | cgroup usage mean {usage.Average():F2} MiB | RSS of its processes mean {rss.Average():F2} MiB | | |"));

    // The same through the API's resources, and what reading them costs the list and the single GET.
    // (An aegisd from before resources existed answers without them: then only the timings, as a baseline.)
    var listed = (await api.GetFromJsonAsync<JsonElement>("/v1/instances")).EnumerateArray()
        .Where(i => i.TryGetProperty("resources", out var resources) && resources.ValueKind == JsonValueKind.Object)
        .Select(i => i.GetProperty("resources").GetProperty("memoryBytes").GetInt64() / 1024.0 / 1024).ToList();
    if (listed.Count > 0)
    {
        results.Add(string.Create(CultureInfo.InvariantCulture,
            $"| idle sandbox memory via GET /v1/instances resources.memoryBytes | mean {listed.Average():F2} MiB | | | {listed.Count} |"));
    }
    var lists = new List<double>();
    var gets = new List<double>();
    for (var i = 0; i < cycles; i++)
    {
        var started = Stopwatch.GetTimestamp();
        (await api.GetAsync("/v1/instances")).EnsureSuccessStatusCode();
        lists.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        started = Stopwatch.GetTimestamp();
        (await api.GetAsync($"/v1/instances/{ids[i % ids.Count]}")).EnsureSuccessStatusCode();
        gets.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
    }

    results.Add(Row($"GET /v1/instances ({idle} live, resources of each read)", lists));
    results.Add(Row("GET /v1/instances/{id} (resources read)", gets));
    foreach (var id in ids)
    {
        (await api.PostAsync($"/v1/instances/{id}/terminate", null)).EnsureSuccessStatusCode();
    }
}

Console.WriteLine($"aegisd bwrap backend, {Environment.ProcessorCount} cores, {DateTime.UtcNow:yyyy-MM-dd}");
Console.WriteLine();
Console.WriteLine("| measurement | p50 ms | p95 ms | mean ms | n |");
Console.WriteLine("|---|---|---|---|---|");
results.ForEach(Console.WriteLine);
return 0;

async Task<string> CreateAppAsync(string[] command, string health)
{
    var response = await api.PostAsJsonAsync("/v1/apps", new { kit = "benchkit", name = "bench", config = new { command, healthCheck = health } });
    response.EnsureSuccessStatusCode();
    return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("appId").GetString()!;
}

async Task<string> EnsureAsync(string appId)
{
    var response = await api.PostAsJsonAsync("/v1/instances/ensure", new { appId });
    var body = await response.Content.ReadFromJsonAsync<JsonElement>();
    if (!response.IsSuccessStatusCode)
    {
        throw new InvalidOperationException(body.ToString());
    }

    return body.GetProperty("instanceId").GetString()!;
}

static string Row(string label, List<double> samples)
{
    samples.Sort();
    double P(double p) => samples[Math.Clamp((int)Math.Ceiling(p * samples.Count) - 1, 0, samples.Count - 1)];
    return string.Create(CultureInfo.InvariantCulture, $"| {label} | {P(0.5):F1} | {P(0.95):F1} | {samples.Average():F1} | {samples.Count} |");
}

static double RssKiB(string pid)
{
    try
    {
        var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return line is null ? 0 : double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
    }
    catch (IOException)
    {
        return 0;
    }
}

