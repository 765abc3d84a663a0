using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;

namespace Aegis.Daemon.Tests;

/// <summary>What the daemon wires from a kit into its sandboxes: internal hosts, the periodic health check, the
/// control channel.</summary>
public class SandboxNetworkingAndHealthTests : DaemonTestBase
{
    [Fact]
    public async Task A_kit_with_internal_hosts_reaches_a_loopback_service_by_name()
    {
        using var service = new TcpListener(IPAddress.Loopback, 0);
        service.Start();
        var port = ((IPEndPoint)service.LocalEndpoint).Port;
        var kit = MinimalKit.Replace("name: testkit", "name: hostkit", StringComparison.Ordinal)
            .Replace("  egress: deny", $"  egress: deny\n  internal_hosts:\n    - testsvc:{port}", StringComparison.Ordinal);
        (await Api.PostAsJsonAsync("/v1/kits", new { manifest = kit })).EnsureSuccessStatusCode();
        var appId = await CreateAppAsync("linked", ["python3", "-c",
            $"import socket\ns = socket.create_connection(('testsvc', {port}), timeout=10)\ns.sendall(b'hello\\n')\n" +
            "open('/workspace/seen', 'w').write(s.makefile().readline())\nimport time\ntime.sleep(600)"], healthCheck: "process", kit: "hostkit");

        await EnsureAsync(appId);
        using (var client = await service.AcceptTcpClientAsync().WaitAsync(TimeSpan.FromSeconds(60)))
        {
            var stream = client.GetStream();
            using var reader = new StreamReader(stream, Encoding.ASCII, leaveOpen: true);
            Assert.Equal("hello", await reader.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60)));
            await stream.WriteAsync("welcome\n"u8.ToArray());
        }

        var seen = Path.Combine(Daemon.DataDirectory, "apps", appId, "volume", "workspace", "seen");
        await WaitUntilAsync(() => File.Exists(seen) && File.ReadAllText(seen).Length > 0, "the sandbox to write what it received");
        Assert.Equal("welcome", (await File.ReadAllTextAsync(seen)).Trim());
    }

    [Fact]
    public async Task An_app_that_stops_listening_after_boot_ends_in_error_with_the_reason()
    {
        var appId = await CreateAppAsync("fading", ["sh", "-c",
            "python3 -m http.server 80 & PID=$!; while [ ! -e /workspace/stop ]; do sleep 0.1; done; kill $PID; sleep 600"]);

        var instance = await EnsureAsync(appId);
        var id = instance.GetProperty("instanceId").GetString()!;
        Assert.Equal("running", instance.GetProperty("state").GetString());
        await File.WriteAllTextAsync(Path.Combine(Daemon.DataDirectory, "apps", appId, "volume", "workspace", "stop"), "");
        var failed = await WaitForStateAsync(id, "error");

        Assert.Equal("health check failed: port 80 refused", failed.GetProperty("reason").GetString());
        var events = await ReadEventsAsync(until: "instance.error");
        Assert.Contains("event: instance.error", events, StringComparison.Ordinal);
        Assert.Empty((await GetJsonAsync($"/v1/instances?appId={appId}")).EnumerateArray());
    }

    [Fact]
    public async Task A_guest_that_reports_unhealthy_on_the_control_channel_ends_in_error_and_its_log_lines_reach_the_log()
    {
        const string Guest = """
            import json, os, socket
            s = socket.socket(socket.AF_UNIX)
            s.connect("/run/aegis/control.sock")
            f = s.makefile("rw")
            def send(m):
                f.write(json.dumps(m) + "\n")
                f.flush()
            send({"type": "log", "level": "warn", "message": "guest says hi"})
            for line in f:
                if json.loads(line)["type"] == "health":
                    sick = os.path.exists("/workspace/sick")
                    send({"type": "health", "ok": not sick, "detail": "database gone" if sick else "fine"})
            """;
        var appId = await CreateAppAsync("guarded", ["python3", "-c", Guest], healthCheck: "process");

        var instance = await EnsureAsync(appId);
        var id = instance.GetProperty("instanceId").GetString()!;
        await WaitUntilAsync(async () => (await Api.GetStringAsync($"/v1/instances/{id}/logs")).Contains("guest says hi", StringComparison.Ordinal), "the guest's log line");
        await File.WriteAllTextAsync(Path.Combine(Daemon.DataDirectory, "apps", appId, "volume", "workspace", "sick"), "");
        var failed = await WaitForStateAsync(id, "error");

        Assert.Equal("health check failed: the guest reports: database gone", failed.GetProperty("reason").GetString());
        Assert.Contains("[guest warn] guest says hi", await Api.GetStringAsync($"/v1/instances/{id}/logs"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_app_that_exits_while_a_health_probe_waits_for_an_answer_fails_for_its_exit_at_once()
    {
        // Port 80 listens with a backlog of one, filled at once by the app's own connection and never accepted, so
        // the kernel drops the health probe's SYN and its connect waits for an answer; then the app exits. Its
        // network goes with it, and the probe waited on until the boot timeout (30 s here) and then reported a port
        // that did not accept connections, not the exit.
        const string Silent = """
            import socket, sys, time
            s = socket.socket()
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(("0.0.0.0", 80))
            filler = socket.socket()
            s.listen(0)
            filler.connect(("127.0.0.1", 80))
            time.sleep(2)
            sys.exit(3)
            """;

        // A probe that comes between the app's listen and its own connection is accepted, and that boot succeeds:
        // then the test tries again with a new app (rare: the window is the few microseconds between the two calls).
        for (var attempt = 1; ; attempt++)
        {
            var appId = await CreateAppAsync($"silent-{attempt}", ["python3", "-c", Silent]);
            var response = await Api.PostAsJsonAsync("/v1/instances/ensure", new { appId });
            if (response.IsSuccessStatusCode && attempt < 3)
            {
                continue;
            }

            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            var detail = await response.Content.ReadAsStringAsync();
            Assert.Contains("the sandbox exited during boot (exited, code 3)", detail, StringComparison.Ordinal);
            break;
        }
    }

    private static async Task WaitUntilAsync(Func<bool> condition, string what) => await WaitUntilAsync(() => Task.FromResult(condition()), what);

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"Timed out waiting for {what}");
            await Task.Delay(50);
        }
    }
}
