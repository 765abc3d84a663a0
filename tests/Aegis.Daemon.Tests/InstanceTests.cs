using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Aegis.Daemon.Tests;

public class InstanceTests : DaemonTestBase
{
    [Fact]
    public async Task Ensure_boots_a_sandbox_that_serves_port_80_and_pause_resume_terminate_work()
    {
        var appId = await CreateAppAsync("web", HttpServer());
        await File.WriteAllTextAsync(Path.Combine(Daemon.DataDirectory, "apps", appId, "volume", "workspace", "index.html"), "hello canvas");

        var instance = await EnsureAsync(appId);
        Assert.Equal("running", instance.GetProperty("state").GetString());
        var address = instance.GetProperty("address").GetString()!;
        using var http = new HttpClient();
        Assert.Equal("hello canvas", await http.GetStringAsync($"http://{address}/index.html"));

        var id = instance.GetProperty("instanceId").GetString()!;
        var paused = await Api.PostAsync($"/v1/instances/{id}/pause", null);
        Assert.Equal("paused", (await paused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("state").GetString());

        // ensure on a paused instance resumes it: same instance, running again, serving again.
        var resumed = await EnsureAsync(appId);
        Assert.Equal(id, resumed.GetProperty("instanceId").GetString());
        Assert.Equal("running", resumed.GetProperty("state").GetString());
        Assert.Equal("hello canvas", await http.GetStringAsync($"http://{address}/index.html"));

        var terminated = await Api.PostAsync($"/v1/instances/{id}/terminate", null);
        Assert.Equal("terminated", (await terminated.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("state").GetString());
        var again = await Api.PostAsync($"/v1/instances/{id}/resume", null);
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);

        var events = await ReadEventsAsync(until: "instance.terminated");
        var order = new[] { "instance.booting", "instance.running", "instance.paused", "instance.running", "instance.terminated" };
        var positions = new List<int>();
        var from = 0;
        foreach (var type in order)
        {
            from = events.IndexOf($"event: {type}", from, StringComparison.Ordinal);
            Assert.True(from >= 0, $"{type} missing in order:\n{events}");
            positions.Add(from++);
        }
    }

    [Fact]
    public async Task Fifty_simultaneous_ensures_give_one_instance()
    {
        var appId = await CreateAppAsync("busy", HttpServer());

        var results = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => EnsureAsync(appId)));

        Assert.Single(results.Select(r => r.GetProperty("instanceId").GetString()).Distinct());
        var live = await GetJsonAsync($"/v1/instances?appId={appId}");
        Assert.Equal(1, live.GetArrayLength());
    }

    [Fact]
    public async Task A_sandbox_that_crashes_puts_the_instance_in_error_with_the_reason()
    {
        var appId = await CreateAppAsync("crasher", ["sh", "-c", "sleep 0.3; echo going down >&2; exit 7"], healthCheck: "process");

        var instance = await EnsureAsync(appId);
        var failed = await WaitForStateAsync(instance.GetProperty("instanceId").GetString()!, "error");

        Assert.Equal("exited with code 7", failed.GetProperty("reason").GetString());
        Assert.Equal(JsonValueKind.Null, failed.GetProperty("resources").ValueKind);
        var logs = await Api.GetStringAsync($"/v1/instances/{instance.GetProperty("instanceId").GetString()}/logs");
        Assert.Contains("going down", logs, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_memory_bomb_is_killed_and_the_instance_goes_to_error_while_the_host_is_fine()
    {
        // The test kit allows 128 MiB; this grows until the kernel kills it.
        var appId = await CreateAppAsync("bomb", ["python3", "-c", "a = []\nwhile True: a.append(bytearray(10**7))"], healthCheck: "process");

        var instance = await EnsureAsync(appId);
        var failed = await WaitForStateAsync(instance.GetProperty("instanceId").GetString()!, "error");

        Assert.StartsWith("oom-killed", failed.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await Api.GetAsync("/healthz")).StatusCode);
    }

    [Fact]
    public async Task Metrics_count_ensures_and_state_changes()
    {
        var appId = await CreateAppAsync("measured", ["sleep", "60"], healthCheck: "process");
        await EnsureAsync(appId);
        await EnsureAsync(appId);

        using var anonymous = Daemon.CreateClient();
        var metrics = await anonymous.GetStringAsync("/metrics");

        // At least: OpenTelemetry listens to meters by name process-wide, so the other test daemons running in
        // this test process add to the same series. In production there is one daemon per process.
        Assert.True(System.Text.RegularExpressions.Regex.IsMatch(metrics, @"aegis_ensure_seconds_count\{[^}]*path=""cold""[^}]*\} [1-9]"), metrics);
        Assert.Matches(@"aegis_ensure_seconds_count\{[^}]*path=""existing""[^}]*\} [1-9]", metrics);
        Assert.Matches(@"aegis_ensure_seconds_bucket\{[^}]*path=""cold"",le=""0.5""\}", metrics);
        Assert.Matches(@"aegis_instance_transitions_total\{[^}]*state=""running""[^}]*\} [1-9]", metrics);
        Assert.Matches(@"aegis_instances\{[^}]*state=""running""[^}]*\} [1-9]", metrics);
        Assert.Matches(@"aegis_instances\{[^}]*state=""paused""[^}]*\} \d", metrics);
    }

    [Fact]
    public async Task The_release_an_instance_runs_is_at_slash_agent_and_stays_as_published()
    {
        var appId = await CreateAppAsync("agented",
            ["sh", "-c", "{ cat /agent/index.js; touch /agent/x 2>/dev/null && echo writable || echo read-only; } > /workspace/seen; sleep 60"],
            healthCheck: "process");
        (await Api.PostAsync($"/v1/apps/{appId}/releases", new ByteArrayContent(TarGz(("index.js", "console.log('v1')"))))).EnsureSuccessStatusCode();

        await EnsureAsync(appId);

        // Writable through the instance's own layer (InstanceLayerTests); the published release itself is not written.
        Assert.Equal("console.log('v1')writable", (await WorkspaceFileAsync(appId, "seen")).Replace("\n", "", StringComparison.Ordinal));
        var release = Assert.Single(Directory.EnumerateDirectories(Path.Combine(Daemon.DataDirectory, "apps", appId, "releases")));
        Assert.Equal(["index.js"], Directory.EnumerateFileSystemEntries(release).Select(Path.GetFileName));
    }

    [Fact]
    public async Task Secrets_and_rendered_env_reach_the_sandbox()
    {
        var appId = await CreateAppAsync("envy", ["sh", "-c", "echo \"$API_TOKEN|$AEGIS_APP_ID\" > /workspace/seen; sleep 60"], secrets: new() { ["API_TOKEN"] = "tok-42" }, healthCheck: "process");

        await EnsureAsync(appId);

        Assert.Equal($"tok-42|{appId}", (await WorkspaceFileAsync(appId, "seen")).Trim());
    }

    [Fact]
    public async Task A_release_is_published_from_a_tar_gz_and_a_path_escape_is_refused()
    {
        var appId = await CreateAppAsync("released", HttpServer());

        var good = await Api.PostAsync($"/v1/apps/{appId}/releases", new ByteArrayContent(TarGz(("index.html", "v1"), ("js/app.js", "x"))));
        Assert.Equal(HttpStatusCode.Created, good.StatusCode);
        var release = await good.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(1, release.GetProperty("version").GetInt32());

        var evil = await Api.PostAsync($"/v1/apps/{appId}/releases", new ByteArrayContent(TarGz(("../../escape.txt", "x"))));
        Assert.Equal(HttpStatusCode.BadRequest, evil.StatusCode);
        Assert.False(File.Exists(Path.Combine(Daemon.DataDirectory, "apps", "escape.txt")));

        var notAnArchive = await Api.PostAsync($"/v1/apps/{appId}/releases", new StringContent("just text"));
        Assert.Equal(HttpStatusCode.BadRequest, notAnArchive.StatusCode);

        var list = await GetJsonAsync($"/v1/apps/{appId}/releases");
        Assert.Equal(1, list.GetArrayLength());
        var instance = await EnsureAsync(appId);
        Assert.Equal(release.GetProperty("releaseId").GetString(), instance.GetProperty("releaseId").GetString());
    }
}
