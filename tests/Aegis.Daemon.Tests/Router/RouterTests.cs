using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace Aegis.Daemon.Tests.Router;

public class RouterTests : RouterTestBase
{
    [Fact]
    public async Task A_request_wakes_the_app_from_nothing_from_paused_and_from_terminated()
    {
        var appId = await CreateEchoAppAsync("canvas");
        await File.WriteAllTextAsync(Workspace(appId, "index.html"), "hello canvas");
        Assert.Empty(await InstancesAsync(appId));

        Assert.Equal("hello canvas", await Router.GetStringAsync($"/agent/{appId}/index.html"));
        var first = Assert.Single(await InstancesAsync(appId));
        var id = first.GetProperty("instanceId").GetString()!;
        Assert.Equal("running", first.GetProperty("state").GetString());

        (await Api.PostAsync($"/v1/instances/{id}/pause", null)).EnsureSuccessStatusCode();
        Assert.Equal("hello canvas", await Router.GetStringAsync($"/agent/{appId}/index.html"));
        var resumed = Assert.Single(await InstancesAsync(appId));
        Assert.Equal(id, resumed.GetProperty("instanceId").GetString());
        Assert.Equal("running", resumed.GetProperty("state").GetString());

        (await Api.PostAsync($"/v1/instances/{id}/terminate", null)).EnsureSuccessStatusCode();
        Assert.Equal("hello canvas", await Router.GetStringAsync($"/agent/{appId}/index.html"));
        var instances = await InstancesAsync(appId);
        Assert.Equal(2, instances.Count);
        Assert.Single(instances, i => i.GetProperty("state").GetString() == "running" && i.GetProperty("instanceId").GetString() != id);

        var metrics = await Router.GetStringAsync("/metrics");
        Assert.Contains("aegis_router_requests", metrics, StringComparison.Ordinal);
        Assert.Contains("outcome=\"woken\"", metrics, StringComparison.Ordinal);
        Assert.Contains("aegis_router_wake_duration", metrics, StringComparison.Ordinal);
        // bwrap keeps no memory snapshot: woken from terminated, the app boots afresh on its workspace.
        Assert.Contains("path=\"cold\"", metrics, StringComparison.Ordinal);
        Assert.Matches(@"aegis_router_bytes_total\{[^}]*direction=""out""[^}]*\} [1-9]", metrics);
    }

    [Fact]
    public async Task An_app_that_is_not_served_is_not_woken_and_one_that_stops_being_served_stays_down()
    {
        var appId = await CreateEchoAppAsync("held", served: false);
        await File.WriteAllTextAsync(Workspace(appId, "index.html"), "held");

        var refused = await Router.GetAsync($"/agent/{appId}/index.html");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.Null(refused.Headers.RetryAfter);
        var problem = await refused.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("App not served", problem.GetProperty("title").GetString());
        Assert.Empty(await InstancesAsync(appId));

        // An instance started over the API is reached while it runs, served or not.
        var ensured = await EnsureAsync(appId);
        var id = ensured.GetProperty("instanceId").GetString()!;
        // The answer says where it is reached (AEGIS.md: ensure → {instanceId, state, url}).
        var url = ensured.GetProperty("url").GetString()!;
        Assert.Equal(new Uri(Daemon.BaseAddress, $"/agent/{appId}/"), new Uri(url));
        Assert.Equal("held", await Router.GetStringAsync(url + "index.html"));

        // Served, then no longer (the owner stopped it): a paused instance stays paused, a terminated one is not booted.
        (await Api.PostAsync($"/v1/apps/{appId}/serve", null)).EnsureSuccessStatusCode();
        Assert.True((await GetJsonAsync($"/v1/apps/{appId}")).GetProperty("served").GetBoolean());
        (await Api.DeleteAsync($"/v1/apps/{appId}/serve")).EnsureSuccessStatusCode();
        Assert.False((await GetJsonAsync($"/v1/apps/{appId}")).GetProperty("served").GetBoolean());
        (await Api.PostAsync($"/v1/instances/{id}/pause", null)).EnsureSuccessStatusCode();
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await Router.GetAsync($"/agent/{appId}/index.html")).StatusCode);
        Assert.Equal("paused", Assert.Single(await InstancesAsync(appId)).GetProperty("state").GetString());
        (await Api.PostAsync($"/v1/instances/{id}/terminate", null)).EnsureSuccessStatusCode();
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await Router.GetAsync($"/agent/{appId}/index.html")).StatusCode);
        Assert.Equal("terminated", Assert.Single(await InstancesAsync(appId)).GetProperty("state").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await Api.DeleteAsync("/v1/apps/app_nope/serve")).StatusCode);
    }

    [Fact]
    public async Task A_hundred_concurrent_first_requests_boot_exactly_one_instance_and_all_get_200()
    {
        var appId = await CreateEchoAppAsync("popular");
        await File.WriteAllTextAsync(Workspace(appId, "index.html"), "popular");

        var responses = await Task.WhenAll(Enumerable.Range(0, 100).Select(_ => Router.GetAsync($"/agent/{appId}/index.html")));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.All(await Task.WhenAll(responses.Select(r => r.Content.ReadAsStringAsync())), body => Assert.Equal("popular", body));
        Assert.Single(await InstancesAsync(appId));
    }

    [Fact]
    public async Task The_prefix_goes_the_query_stays_credentials_stay_on_the_host_and_a_ui_port_gets_the_frame_policy()
    {
        var appId = await CreateEchoAppAsync("private");
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/agent/{appId}/headers/deep?x=1&y=two%20words");
        request.Headers.Authorization = new("Bearer", "famiglia-session-token");
        request.Headers.Add("Cookie", "session=secret");
        request.Headers.Add("X-Canvas", "kept");

        using var response = await Router.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var echo = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("/headers/deep?x=1&y=two%20words", echo.GetProperty("path").GetString());
        var headers = echo.GetProperty("headers");
        Assert.False(headers.TryGetProperty("authorization", out _), headers.ToString());
        Assert.False(headers.TryGetProperty("cookie", out _), headers.ToString());
        Assert.Equal("kept", headers.GetProperty("x-canvas").GetString());
        Assert.Equal("frame-ancestors http://localhost:3000", Assert.Single(response.Headers.GetValues("Content-Security-Policy")));
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));

        // The app's own status passes through as it is.
        var missing = await Router.GetAsync($"/agent/{appId}/no-such-file");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.NotEqual("application/problem+json", missing.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task An_unknown_app_is_a_404_problem_and_a_boot_failure_a_503_with_retry_after()
    {
        var unknown = await Router.GetAsync("/agent/app_nope/index.html");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("application/problem+json", unknown.Content.Headers.ContentType?.MediaType);

        // A config without a command cannot boot. (A sandbox that dies during boot is no deterministic test here: once its
        // network is gone, its address leads out of this host's default route, where a gateway answers.)
        var created = await Api.PostAsJsonAsync("/v1/apps", new { kit = "testkit", name = "broken", config = new { } });
        var broken = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("appId").GetString();
        (await Api.PostAsync($"/v1/apps/{broken}/serve", null)).EnsureSuccessStatusCode();
        var failed = await Router.GetAsync($"/agent/{broken}/");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, failed.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(5), failed.Headers.RetryAfter?.Delta);
        var problem = await failed.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains("could not be woken", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_websocket_is_proxied_both_ways_and_keeps_the_instance_from_pausing()
    {
        var appId = await CreateEchoAppAsync("live");
        using var socket = new ClientWebSocket();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await socket.ConnectAsync(new UriBuilder(Daemon.BaseAddress) { Scheme = "ws", Path = $"/agent/{appId}/socket" }.Uri, cts.Token);

        Assert.Equal("hello", await ReceiveTextAsync(socket, cts.Token));
        await socket.SendAsync("ping"u8.ToArray(), WebSocketMessageType.Text, true, cts.Token);
        Assert.Equal("echo: ping", await ReceiveTextAsync(socket, cts.Token));
        var id = Assert.Single(await InstancesAsync(appId)).GetProperty("instanceId").GetString()!;

        Daemon.Clock.Advance(TimeSpan.FromMinutes(30));
        await WaitForIdleSweepsAsync(3);
        Assert.Equal("running", (await GetJsonAsync($"/v1/instances/{id}")).GetProperty("state").GetString());
        await socket.SendAsync("still here"u8.ToArray(), WebSocketMessageType.Text, true, cts.Token);
        Assert.Equal("echo: still here", await ReceiveTextAsync(socket, cts.Token));

        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", cts.Token);
        await WaitUntilQuietAsync(appId);
        Daemon.Clock.Advance(TimeSpan.FromSeconds(61));
        await WaitForStateAsync(id, "paused");
    }

    private static async Task<string> ReceiveTextAsync(ClientWebSocket socket, CancellationToken cancellationToken)
    {
        var buffer = new byte[4096];
        var text = new StringBuilder();
        WebSocketReceiveResult result;
        do
        {
            result = await socket.ReceiveAsync(buffer, cancellationToken);
            text.Append(Encoding.UTF8.GetString(buffer, 0, result.Count));
        }
        while (!result.EndOfMessage);
        return text.ToString();
    }
}
