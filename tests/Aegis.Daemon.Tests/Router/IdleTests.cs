namespace Aegis.Daemon.Tests.Router;

/// <summary>The idle timers on the daemon's clock, moved by hand.</summary>
public class IdleTests : RouterTestBase
{
    [Fact]
    public async Task An_idle_instance_pauses_then_terminates_and_the_next_request_restores_it_with_its_workspace()
    {
        var appId = await CreateEchoAppAsync("sleepy");
        await File.WriteAllTextAsync(Workspace(appId, "notes.txt"), "written before");
        Assert.Equal("written before", await Router.GetStringAsync($"/agent/{appId}/notes.txt"));
        var id = Assert.Single(await InstancesAsync(appId)).GetProperty("instanceId").GetString()!;

        await WaitUntilQuietAsync(appId);
        Daemon.Clock.Advance(TimeSpan.FromSeconds(30));
        await WaitForIdleSweepsAsync(2);
        Assert.Equal("running", (await GetJsonAsync($"/v1/instances/{id}")).GetProperty("state").GetString());

        Daemon.Clock.Advance(TimeSpan.FromSeconds(31));
        await WaitForStateAsync(id, "paused");
        Daemon.Clock.Advance(TimeSpan.FromMinutes(14));
        await WaitForIdleSweepsAsync(2);
        Assert.Equal("paused", (await GetJsonAsync($"/v1/instances/{id}")).GetProperty("state").GetString());

        Daemon.Clock.Advance(TimeSpan.FromMinutes(1));
        var terminated = await WaitForStateAsync(id, "terminated");
        Assert.StartsWith("idle", terminated.GetProperty("reason").GetString(), StringComparison.Ordinal);

        Assert.Equal("written before", await Router.GetStringAsync($"/agent/{appId}/notes.txt"));
        var restored = Assert.Single(await InstancesAsync(appId), i => i.GetProperty("state").GetString() == "running");
        Assert.NotEqual(id, restored.GetProperty("instanceId").GetString());
    }

    [Fact]
    public async Task The_apps_idle_config_overrides_the_defaults()
    {
        var appId = await CreateEchoAppAsync("brief", idle: new { pauseAfterSeconds = 5, terminateAfterSeconds = 10 });
        await Router.GetAsync($"/agent/{appId}/");
        var id = Assert.Single(await InstancesAsync(appId)).GetProperty("instanceId").GetString()!;

        await WaitUntilQuietAsync(appId);
        Daemon.Clock.Advance(TimeSpan.FromSeconds(6));
        await WaitForStateAsync(id, "paused");
        Daemon.Clock.Advance(TimeSpan.FromSeconds(11));
        await WaitForStateAsync(id, "terminated");
    }

    [Fact]
    public async Task A_bad_idle_config_fails_the_wake_with_the_field()
    {
        var appId = await CreateEchoAppAsync("confused", idle: new { pauseAfterSeconds = -1 });

        var ensure = await Api.PostAsync("/v1/instances/ensure", System.Net.Http.Json.JsonContent.Create(new { appId }));

        Assert.Equal(System.Net.HttpStatusCode.BadRequest, ensure.StatusCode);
        Assert.Contains("config.idle.pauseAfterSeconds", await ensure.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
