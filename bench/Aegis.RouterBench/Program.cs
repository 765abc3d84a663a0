using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Famiglia.TestKit;

// The router against the same sandbox reached directly and through nginx (Debian) as a reverse proxy, in one run,
// with wrk; then paused → first byte through the router. Needs wrk and nginx (apt-get install -y wrk nginx-light)
// and a Release build of the solution (aegisd.dll):
//   dotnet build -c Release Aegis.slnx && dotnet run -c Release --no-build --project bench/Aegis.RouterBench -- [--seconds 10] [--connections 32] [--wakes 50] [--ceiling] [--sandbox-sched batch|normal]
// --ceiling adds a fourth path: the least proxy .NET's sockets allow (CeilingProxy), what any router on .NET could reach here.
var seconds = BenchArgs.Int(args, "--seconds", 10);
var connections = BenchArgs.Int(args, "--connections", 32);
var wakes = BenchArgs.Int(args, "--wakes", 50);
var ceiling = args.Contains("--ceiling");
var sandboxScheduling = BenchArgs.String(args, "--sandbox-sched", "batch"); // aegisd's Aegis:SandboxScheduling

using var data = TempDirectory.Create("aegis-router-bench");
await using var daemon = await AegisDaemonProcess.StartAsync(data.Path, settings: [$"--Aegis:SandboxScheduling={sandboxScheduling}"]);
using var api = daemon.CreateClient();
(await api.PostAsJsonAsync("/v1/kits", new
{
    manifest = """
        name: routerbench
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
        resources:
          memory: 256mb
          cpu: 2
          disk: 1gb
        """,
})).EnsureSuccessStatusCode();

// The app: nginx inside the sandbox serving a 1 KiB file from /workspace, so the upstream is not the bottleneck.
var created = await api.PostAsJsonAsync("/v1/apps", new
{
    kit = "routerbench",
    name = "static",
    config = new { command = new[] { "/usr/sbin/nginx", "-c", "/workspace/nginx.conf", "-p", "/tmp" }, healthCheck = "tcp", idle = new { pauseAfterSeconds = 3600 } },
});
created.EnsureSuccessStatusCode();
var appId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("appId").GetString()!;
(await api.PostAsync($"/v1/apps/{appId}/serve", null)).EnsureSuccessStatusCode(); // the router wakes only served apps
var workspace = Path.Combine(data.Path, "apps", appId, "volume", "workspace");
await File.WriteAllTextAsync(Path.Combine(workspace, "index.html"), new string('x', 1024));
await File.WriteAllTextAsync(Path.Combine(workspace, "nginx.conf"), """
    worker_processes 1;
    daemon off;
    pid /tmp/nginx.pid;
    error_log stderr;
    events { worker_connections 4096; }
    http {
      access_log off;
      client_body_temp_path /tmp/body; proxy_temp_path /tmp/proxy; fastcgi_temp_path /tmp/fastcgi; uwsgi_temp_path /tmp/uwsgi; scgi_temp_path /tmp/scgi;
      server { listen 80; root /workspace; }
    }
    """);

var ensured = await api.PostAsJsonAsync("/v1/instances/ensure", new { appId });
var instance = await ensured.Content.ReadFromJsonAsync<JsonElement>();
if (!ensured.IsSuccessStatusCode)
{
    throw new InvalidOperationException($"ensure failed: {instance}");
}

var instanceId = instance.GetProperty("instanceId").GetString()!;
var sandbox = instance.GetProperty("address").GetString()!;

// The peer: nginx on the host as a reverse proxy to the same sandbox, with upstream keep-alive as YARP has.
var peerPort = FreePort.Next();
var peerDir = Directory.CreateDirectory(Path.Combine(data.Path, "nginx-peer")).FullName;
await File.WriteAllTextAsync(Path.Combine(peerDir, "nginx.conf"), $$"""
    worker_processes 1;
    daemon off;
    pid {{peerDir}}/nginx.pid;
    error_log stderr;
    events { worker_connections 4096; }
    http {
      access_log off;
      client_body_temp_path {{peerDir}}/body; proxy_temp_path {{peerDir}}/proxy; fastcgi_temp_path {{peerDir}}/fastcgi; uwsgi_temp_path {{peerDir}}/uwsgi; scgi_temp_path {{peerDir}}/scgi;
      upstream sandbox { server {{sandbox}}; keepalive 64; }
      server {
        listen 127.0.0.1:{{peerPort}};
        location /agent/{{appId}}/ { proxy_pass http://sandbox/; proxy_http_version 1.1; proxy_set_header Connection ""; }
      }
    }
    """);
using var peer = Process.Start(new ProcessStartInfo("nginx", ["-c", Path.Combine(peerDir, "nginx.conf"), "-p", peerDir]) { UseShellExecute = false })!;
await Task.Delay(500);

await using var ceilingProxy = ceiling ? new CeilingProxy(System.Net.IPEndPoint.Parse(sandbox), $"/agent/{appId}") : null;
var targets = new List<(string Label, string Url)>
{
    ("direct to the sandbox", $"http://{sandbox}/index.html"),
    ("aegisd router (YARP)", $"{daemon.BaseAddress}agent/{appId}/index.html"),
    ("nginx reverse proxy (peer)", $"http://127.0.0.1:{peerPort}/agent/{appId}/index.html"),
};
if (ceilingProxy is not null)
{
    targets.Add(("minimal .NET socket proxy (ceiling)", $"http://127.0.0.1:{ceilingProxy.Port}/agent/{appId}/index.html"));
}

var results = new List<string>
{
    $"wrk -t2 -c{connections} -d{seconds}s --latency URL; 1 KiB static file served by nginx inside the bwrap sandbox (Aegis:SandboxScheduling={sandboxScheduling}); "
        + $"{Environment.ProcessorCount} CPUs; each target warmed for 2 s, then measured twice in alternation (the better run is kept).",
    "",
    "| path | requests/s | p50 | p99 | throughput vs direct | added p50 vs direct |",
    "|---|---|---|---|---|---|",
};
var measured = await Wrk.BestOfAsync(targets, connections, seconds, warmSeconds: 2);

var direct = measured[targets[0].Label];
foreach (var (label, _) in targets)
{
    var m = measured[label];
    results.Add(FormattableString.Invariant($"| {label} | {m.Rps:0} | {m.P50:0.000} ms | {m.P99:0.000} ms | {m.Rps / direct.Rps:0.00} | {m.P50 - direct.P50:+0.000;-0.000;0.000} ms |"));
}

peer.Kill(entireProcessTree: true); // the master alone would leave its worker holding our stdout

// Paused → first byte through the router: pause over the API, then one request; the time to the response headers.
using var router = new HttpClient { BaseAddress = daemon.BaseAddress };
var firstBytes = new List<double>();
for (var i = 0; i < wakes; i++)
{
    (await api.PostAsync($"/v1/instances/{instanceId}/pause", null)).EnsureSuccessStatusCode();
    var started = Stopwatch.GetTimestamp();
    using var response = await router.GetAsync($"/agent/{appId}/index.html", HttpCompletionOption.ResponseHeadersRead);
    firstBytes.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
    response.EnsureSuccessStatusCode();
}

firstBytes.Sort();
results.Add("");
results.Add(FormattableString.Invariant($"paused → first byte through the router ({wakes} wakes, a fresh request each): p50 {Percentile(firstBytes, 0.5):0.00} ms, p90 {Percentile(firstBytes, 0.9):0.00} ms, max {firstBytes[^1]:0.00} ms"));

foreach (var line in results)
{
    Console.WriteLine(line);
}



static double Percentile(List<double> sorted, double p) => sorted[Math.Min(sorted.Count - 1, (int)Math.Floor(p * sorted.Count))];

