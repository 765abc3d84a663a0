using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Aegis.Daemon.Tests.Router;

namespace Aegis.Daemon.Tests.Tracing;

/// <summary>aegisd exporting over OTLP/HTTP to a real receiver, with routed requests to real bwrap sandboxes.</summary>
public sealed class TracingTests : RouterTestBase
{
    private OtlpReceiver _receiver = null!;

    public override async Task InitializeAsync()
    {
        _receiver = await OtlpReceiver.StartAsync();
        await base.InitializeAsync();
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await _receiver.DisposeAsync();
    }

    protected override AegisDaemonFactory CreateDaemon() => new(settings: new Dictionary<string, string>
    {
        ["Aegis:Tracing:Otlp:Endpoint"] = _receiver.Endpoint,
        ["OTEL_BSP_SCHEDULE_DELAY"] = "100",
    });

    [Fact]
    public async Task A_request_that_wakes_an_app_is_one_trace_with_the_cold_ensure_and_its_boot_steps()
    {
        var secret = "s3cret-" + Guid.NewGuid().ToString("N");
        var appId = await CreateAppAsync("traced", EchoServer.Command, secrets: new() { ["TRACE_TEST_TOKEN"] = secret });
        await File.WriteAllTextAsync(Workspace(appId, "server.py"), EchoServer.Script);

        var first = await Router.GetAsync($"/agent/{appId}/headers?first");
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);

        var ensure = await _receiver.WaitForAsync(
            spans => spans.FirstOrDefault(s => s.Name == "aegis.ensure" && s.Tag("aegis.app.id") == appId), "the ensure span");
        Assert.Equal("aegisd", ensure.Service);
        Assert.Equal("Aegis.Daemon", ensure.Scope);
        Assert.Equal("cold", ensure.Tag("aegis.ensure.path"));
        Assert.Equal("ok", ensure.Tag("aegis.outcome"));
        Assert.Equal("testkit", ensure.Tag("aegis.kit"));
        Assert.StartsWith("inst_", ensure.Tag("aegis.instance.id"));
        Assert.NotEqual(ReceivedSpan.StatusError, ensure.StatusCode);

        // The server span of the request, the router's wake wait and the ensure it caused: one trace, one chain.
        var server = await _receiver.WaitForAsync(
            spans => spans.FirstOrDefault(s => s.Kind == ReceivedSpan.KindServer && s.TraceId == ensure.TraceId && s.Tag("url.query") == "?first"),
            "the server span of the first request");
        var trace = _receiver.Spans.Where(s => s.TraceId == ensure.TraceId).ToList();
        var wake = Assert.Single(trace, s => s.Name == "aegis.router.wake");
        Assert.Equal(server.SpanId, wake.ParentSpanId);
        Assert.Equal("ok", wake.Tag("aegis.outcome"));
        Assert.Equal(appId, wake.Tag("aegis.app.id"));
        Assert.Equal(wake.SpanId, ensure.ParentSpanId);
        Assert.Equal("Microsoft.AspNetCore", server.Scope);
        Assert.Equal("200", server.Tag("http.response.status_code"));

        var steps = trace.Where(s => s.ParentSpanId == ensure.SpanId).Select(s => s.Name).ToList();
        Assert.Contains("aegis.kit.render_env", steps);
        Assert.Contains("aegis.sandbox.start", steps);
        Assert.Contains("aegis.health.wait", steps);
        Assert.All(trace.Where(s => s.ParentSpanId == ensure.SpanId), s => Assert.Equal(ensure.Tag("aegis.instance.id"), s.Tag("aegis.instance.id")));

        // The forward to the sandbox is the server span's client child.
        var forward = await _receiver.WaitForAsync(
            spans => spans.FirstOrDefault(s => s.Kind == ReceivedSpan.KindClient && s.ParentSpanId == server.SpanId), "the forward's client span");
        var instance = await GetJsonAsync($"/v1/instances/{ensure.Tag("aegis.instance.id")}");
        var sandbox = System.Net.IPEndPoint.Parse(instance.GetProperty("address").GetString()!);
        Assert.StartsWith($"http://{sandbox.Address}/headers?", forward.Tag("url.full"));
        Assert.Equal("200", forward.Tag("http.response.status_code"));

        // The running instance serves the next request straight away: no wake, no ensure in its trace.
        var second = await Router.GetAsync($"/agent/{appId}/headers?second");
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        var hot = await _receiver.WaitForAsync(
            spans => spans.FirstOrDefault(s => s.Kind == ReceivedSpan.KindServer && s.Tag("url.query") == "?second"), "the server span of the second request");
        Assert.NotEqual(ensure.TraceId, hot.TraceId);
        Assert.DoesNotContain(_receiver.Spans, s => s.TraceId == hot.TraceId && s.Name is "aegis.ensure" or "aegis.router.wake");

        // An explicit ensure finds it running.
        await EnsureAsync(appId);
        var existing = await _receiver.WaitForAsync(
            spans => spans.FirstOrDefault(s => s.Name == "aegis.ensure" && s.Tag("aegis.app.id") == appId && s.Tag("aegis.ensure.path") == "existing"),
            "the second ensure span");
        Assert.Equal(ensure.Tag("aegis.instance.id"), existing.Tag("aegis.instance.id"));

        // The sandbox got the secret; the exported spans never saw it.
        var headers = await second.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("/headers?second", headers.GetProperty("path").GetString());
        Assert.False(_receiver.Contains(secret), "a secret value was exported");
    }

    [Fact]
    public async Task Pause_resume_and_terminate_are_spans_and_ensuring_a_paused_app_takes_the_resume_path()
    {
        var appId = await CreateEchoAppAsync("lifecycle");
        var instanceId = (await EnsureAsync(appId)).GetProperty("instanceId").GetString()!;
        (await Api.PostAsync($"/v1/instances/{instanceId}/pause", null)).EnsureSuccessStatusCode();
        await EnsureAsync(appId);
        (await Api.PostAsync($"/v1/instances/{instanceId}/terminate", null)).EnsureSuccessStatusCode();

        var pause = await _receiver.WaitForAsync(
            spans => spans.FirstOrDefault(s => s.Name == "aegis.pause" && s.Tag("aegis.instance.id") == instanceId), "the pause span");
        Assert.Equal("ok", pause.Tag("aegis.outcome"));
        Assert.Equal(appId, pause.Tag("aegis.app.id"));
        var pauseRequest = Assert.Single(_receiver.Spans, s => s.SpanId == pause.ParentSpanId);
        Assert.Equal(ReceivedSpan.KindServer, pauseRequest.Kind);

        var resumed = await _receiver.WaitForAsync(
            spans => spans.FirstOrDefault(s => s.Name == "aegis.ensure" && s.Tag("aegis.app.id") == appId && s.Tag("aegis.ensure.path") == "resume"),
            "the ensure that resumed");
        Assert.Equal(instanceId, resumed.Tag("aegis.instance.id"));
        var resume = await _receiver.WaitForAsync(
            spans => spans.FirstOrDefault(s => s.Name == "aegis.resume" && s.ParentSpanId == resumed.SpanId), "the resume span inside the ensure");
        Assert.Equal("ok", resume.Tag("aegis.outcome"));

        var terminate = await _receiver.WaitForAsync(
            spans => spans.FirstOrDefault(s => s.Name == "aegis.terminate" && s.Tag("aegis.instance.id") == instanceId), "the terminate span");
        Assert.Equal("terminated by request", terminate.Tag("aegis.reason"));
        Assert.Equal("ok", terminate.Tag("aegis.outcome"));
    }

    [Fact]
    public async Task A_render_env_hook_that_fails_printing_its_input_fails_its_span_and_the_secret_stays_masked()
    {
        // The hook echoes its request (the app's secrets with it) to stderr and fails: the stderr tail reaches the
        // ensure's error, and so the spans.
        const string hooks = """
            #!/bin/sh
            case "$1" in
              render_env) cat >&2; exit 3 ;;
              validate_config) cat >/dev/null; echo '{"ok": true, "errors": []}' ;;
              *) cat >/dev/null; echo '{}' ;;
            esac
            """;
        var manifest = MinimalKit.Replace("name: testkit", "name: hookkit", StringComparison.Ordinal);
        (await Api.PostAsJsonAsync("/v1/kits", new { manifest, hooksBase64 = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(hooks)) })).EnsureSuccessStatusCode();
        var secret = "s3cret-" + Guid.NewGuid().ToString("N");
        var appId = await CreateAppAsync("leaky-hook", EchoServer.Command, secrets: new() { ["TRACE_TEST_TOKEN"] = secret }, kit: "hookkit");

        var response = await Api.PostAsJsonAsync("/v1/instances/ensure", new { appId });
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);

        var ensure = await _receiver.WaitForAsync(
            spans => spans.FirstOrDefault(s => s.Name == "aegis.ensure" && s.Tag("aegis.app.id") == appId), "the failed ensure span");
        Assert.Equal(ReceivedSpan.StatusError, ensure.StatusCode);
        Assert.Equal("hookkit", ensure.Tag("aegis.kit"));
        var renderEnv = await _receiver.WaitForAsync(
            spans => spans.FirstOrDefault(s => s.Name == "aegis.kit.render_env" && s.ParentSpanId == ensure.SpanId), "the failed render_env span");
        Assert.Equal(ReceivedSpan.StatusError, renderEnv.StatusCode);
        Assert.Contains("TRACE_TEST_TOKEN", renderEnv.StatusMessage); // the stderr tail is there, masked
        Assert.DoesNotContain(secret, renderEnv.StatusMessage);
        Assert.False(_receiver.Contains(secret), "a secret value was exported");
    }

    [Fact]
    public async Task A_boot_that_fails_ends_the_ensure_span_in_error_without_the_apps_secrets()
    {
        var secret = "s3cret-" + Guid.NewGuid().ToString("N");
        var appId = await CreateAppAsync("exits", ["sh", "-c", "exit 3"], secrets: new() { ["TRACE_TEST_TOKEN"] = secret });

        var response = await Router.GetAsync($"/agent/{appId}/");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);

        var ensure = await _receiver.WaitForAsync(
            spans => spans.FirstOrDefault(s => s.Name == "aegis.ensure" && s.Tag("aegis.app.id") == appId), "the failed ensure span");
        Assert.Equal(ReceivedSpan.StatusError, ensure.StatusCode);
        Assert.Contains("failed to boot", ensure.StatusMessage);
        Assert.Equal("error", ensure.Tag("aegis.outcome"));
        Assert.Equal("cold", ensure.Tag("aegis.ensure.path"));
        Assert.Contains("exception", ensure.Events);

        var wait = await _receiver.WaitForAsync(
            spans => spans.FirstOrDefault(s => s.Name == "aegis.health.wait" && s.ParentSpanId == ensure.SpanId), "the failed health wait");
        Assert.Equal(ReceivedSpan.StatusError, wait.StatusCode);
        Assert.Contains("exited during boot", wait.StatusMessage);

        var wake = await _receiver.WaitForAsync(
            spans => spans.FirstOrDefault(s => s.Name == "aegis.router.wake" && s.SpanId == ensure.ParentSpanId), "the failed wake wait");
        Assert.Equal("failed", wake.Tag("aegis.outcome"));
        Assert.Equal(ReceivedSpan.StatusError, wake.StatusCode);

        Assert.False(_receiver.Contains(secret), "a secret value was exported");
    }
}
