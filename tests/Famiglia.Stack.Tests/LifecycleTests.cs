using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Famiglia.Xmpp;
using Xunit.Abstractions;

namespace Famiglia.Stack.Tests;

/// <summary>
/// Spec §7.3, row by row, against the real stack: famiglia-web (real process) → aegisd (real process, bwrap sandbox on
/// the agent-base image) → harness + Photo Library agent in the sandbox → ejabberd.
/// </summary>
[Collection(StackCollection.Name)]
public sealed class LifecycleTests(FamigliaStack stack, ITestOutputHelper output) : IAsyncLifetime
{
    private readonly List<IAsyncDisposable> _disposables = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        output.WriteLine("--- famiglia-web ---\n" + stack.Web.Output());
        output.WriteLine("--- aegisd ---\n" + stack.Aegis.Output());
        foreach (var disposable in _disposables)
        {
            await disposable.DisposeAsync();
        }
    }

    [Fact]
    public async Task Create_start_talk_pause_reopen_crash_stop_and_delete_an_agent()
    {
        using var alice = await WebSession.SignInAsync(stack.WebUrl, "alice");
        using var aegis = stack.Aegis.CreateClient();

        // User creates Agent Document → AgentConfig (STOPPED), XMPP account, POST /v1/apps → aegisAppId.
        var (agentId, page) = await alice.CreateAgentAsync("Lifecycle Photos", "photo-library", "ANTHROPIC_API_KEY=sk-test-not-a-real-key");
        var agent = await AgentAsync(agentId);
        Assert.Equal("STOPPED", agent.Status);
        Assert.Equal("s-lifecycle-photos", agent.XmppUser);
        Assert.NotNull(agent.AppId);
        Assert.True(await stack.Ejabberd.Admin.AccountExistsAsync(agent.XmppUser, stack.Ejabberd.Host));
        var app = await aegis.GetStringAsync($"/v1/apps/{agent.AppId}");
        Assert.Contains("\"FAMIGLIA_API_KEY\"", app, StringComparison.Ordinal);
        Assert.Contains("\"ANTHROPIC_API_KEY\"", app, StringComparison.Ordinal);
        Assert.DoesNotContain("sk-test-not-a-real-key", app, StringComparison.Ordinal);

        // At rest, famiglia-web keeps the agent's secrets sealed (the harness joining below shows they still reach it).
        Assert.StartsWith("sealed:v1:", agent.XmppPassword, StringComparison.Ordinal);
        var storedEnv = (string?)await WebDatabase.ScalarAsync(stack, $"SELECT Env FROM AgentConfigs WHERE Id = '{agentId}'");
        Assert.StartsWith("sealed:v1:", storedEnv, StringComparison.Ordinal);
        Assert.DoesNotContain("sk-test-not-a-real-key", storedEnv, StringComparison.Ordinal);

        // User clicks Start → ensure → the sandbox boots, the harness joins the room. aegisd runs, as in ./famiglia up,
        // a warm pool of one for the famiglia kit: the agent takes the pooled sandbox.
        string? pooled = null;
        await WebDatabase.WaitUntilAsync(async () =>
        {
            var pool = (await aegis.GetFromJsonAsync<JsonElement>("/v1/pool")).EnumerateArray().Single(k => k.GetProperty("kit").GetString() == "famiglia");
            pooled = pool.GetProperty("ready").EnumerateArray().Select(r => r.GetString()).FirstOrDefault();
            return pooled is not null;
        }, "a sandbox in the warm pool");
        var (room, heard, events) = await JoinAsPersonAsync("dora");
        var nick = $"@s:lifecycle-photos@{stack.Ejabberd.Host}";
        await alice.PostFormAsync(page, "Start");
        await WaitForStatusAsync(agentId, "RUNNING");
        await events.NextMatchingAsync(e => e.Kind == MucRoomEventKind.OccupantJoined && e.Nick == nick);
        Assert.Equal(pooled, (await AgentAsync(agentId)).InstanceId);

        // Chat in the agent's thread; the answer is stored once by famiglia-web's archiver.
        await room.SendAsync("Build me a photo library from all group photos", agent.Thread);
        var reply = await heard.NextMatchingAsync(m => m.Nick == nick);
        Assert.Equal("Found 234 photos! Gallery is ready.", reply.Body);
        Assert.Equal(agent.Thread, reply.Thread);
        await WebDatabase.WaitUntilAsync(async () => await WebDatabase.ScalarAsync(stack, "SELECT COUNT(*) FROM Messages WHERE Body = 'Found 234 photos! Gallery is ready.'") is 1L, "the reply stored");

        // The canvas through aegisd's router, as the iframe loads it.
        using var router = new HttpClient { BaseAddress = stack.RouterUrl };
        using (var canvas = await router.GetAsync($"/agent/{agent.AppId}/index.html"))
        {
            Assert.Equal(HttpStatusCode.OK, canvas.StatusCode);
            Assert.Contains("frame-ancestors", canvas.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
            Assert.Contains("_media/", await canvas.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        // Group admins (alice owns feldmans) read the instance's log; a plain member may not rotate the key.
        Assert.Contains("joined photos.feldmans@", await alice.GetStringAsync(page + "?logs=true"), StringComparison.Ordinal);
        using (var bob = await WebSession.SignInAsync(stack.WebUrl, "bob"))
        {
            Assert.DoesNotContain("?logs=true", await bob.GetStringAsync(page), StringComparison.Ordinal);
            Assert.Equal(HttpStatusCode.Forbidden, await bob.PostFormStatusAsync(page, "RegenerateKey"));
        }

        // Idle pause (here: asked of aegisd) → PAUSED; the user opens the agent tab → ensure → RUNNING again.
        var instanceId = (await AgentAsync(agentId)).InstanceId!;
        (await aegis.PostAsync($"/v1/instances/{instanceId}/pause", null)).EnsureSuccessStatusCode();
        await WaitForStatusAsync(agentId, "PAUSED");
        await alice.GetStringAsync(page);
        await WaitForStatusAsync(agentId, "RUNNING");

        // The agent crashes (every process of its sandbox killed) → aegisd reports it → ERROR.
        var pids = File.ReadAllLines($"/sys/fs/cgroup/pids/aegis/{instanceId}/cgroup.procs");
        using (var kill = System.Diagnostics.Process.Start("kill", ["-KILL", .. pids])!)
        {
            await kill.WaitForExitAsync(); // some may be gone already (killing bwrap ends the rest): fine
        }

        await WaitForStatusAsync(agentId, "ERROR");

        // Its log stays readable for the admin, headed by how the instance ended: when it is most needed.
        var crashed = await alice.GetStringAsync(page + "?logs=true");
        Assert.Contains($"[instance {instanceId}, error", crashed, StringComparison.Ordinal);
        Assert.Contains("joined photos.feldmans@", crashed, StringComparison.Ordinal);

        // Start again, then Stop → terminate → STOPPED; opening the tab now starts nothing.
        await alice.PostFormAsync(page, "Start");
        await WaitForStatusAsync(agentId, "RUNNING");
        await alice.PostFormAsync(page, "Stop");
        await WaitForStatusAsync(agentId, "STOPPED");
        var stopped = await alice.GetStringAsync(page);
        Assert.Contains("data-testid=\"canvas-placeholder\"", stopped, StringComparison.Ordinal);
        var live = await aegis.GetFromJsonAsync<JsonElement>($"/v1/instances?appId={agent.AppId}");
        Assert.DoesNotContain(live.EnumerateArray(), i => i.GetProperty("state").GetString() is "running" or "booting" or "paused");

        // A canvas still open somewhere (its page reconnects) does not wake a stopped agent.
        using (var canvas = await router.GetAsync($"/agent/{agent.AppId}/index.html"))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, canvas.StatusCode);
        }

        live = await aegis.GetFromJsonAsync<JsonElement>($"/v1/instances?appId={agent.AppId}");
        Assert.DoesNotContain(live.EnumerateArray(), i => i.GetProperty("state").GetString() is "running" or "booting" or "paused");
        Assert.Equal("STOPPED", (await AgentAsync(agentId)).Status);

        // Delete → terminate, XMPP account gone, key revoked, app removed, document gone.
        Assert.EndsWith("/g/feldmans/r/photos", await alice.PostFormAsync(page, "Delete"), StringComparison.Ordinal);
        Assert.False(await stack.Ejabberd.Admin.AccountExistsAsync(agent.XmppUser, stack.Ejabberd.Host));
        Assert.Equal(HttpStatusCode.NotFound, (await aegis.GetAsync($"/v1/apps/{agent.AppId}")).StatusCode);
        Assert.Equal(0L, await WebDatabase.ScalarAsync(stack, $"SELECT COUNT(*) FROM AgentConfigs WHERE Id = '{agentId}'"));
        Assert.Equal(0L, await WebDatabase.ScalarAsync(stack, $"SELECT COUNT(*) FROM ApiKeys WHERE AgentConfigId = '{agentId}' AND RevokedAt IS NULL"));
        Assert.Equal(HttpStatusCode.NotFound, await alice.StatusOfAsync(page));

        // Events about the deleted agent's app still arrive; famiglia-web must shrug them off.
        await Task.Delay(500);
        Assert.False(stack.Web.HasExited, "famiglia-web exited:\n" + stack.Web.Output());
    }

    [Fact]
    public async Task Start_and_Stop_pressed_together_leave_the_agent_as_aegisd_has_it()
    {
        using var alice = await WebSession.SignInAsync(stack.WebUrl, "alice");
        using var aegis = stack.Aegis.CreateClient();
        var (agentId, page) = await alice.CreateAgentAsync("Hasty Echo", "echo");
        var appId = (await AgentAsync(agentId)).AppId;

        // A Stop that reaches famiglia-web while the Start's ensure is on its way to aegisd used to find nothing to
        // terminate, and the instance the ensure booted then ran on while the agent showed STOPPED. Now the two take
        // turns: whichever comes last wins, and what the page shows is what aegisd runs.
        foreach (var delay in new[] { 0, 10, 30, 60, 120 })
        {
            var start = alice.PostFormAsync(page, "Start");
            await Task.Delay(delay);
            await alice.PostFormAsync(page, "Stop");
            await start;

            AgentRow agent = null!;
            await WebDatabase.WaitUntilAsync(async () => (agent = await AgentAsync(agentId)).Status is "STOPPED" or "RUNNING", "STOPPED or RUNNING");
            var live = (await aegis.GetFromJsonAsync<JsonElement>($"/v1/instances?appId={appId}")).EnumerateArray()
                .Where(i => i.GetProperty("state").GetString() is "running" or "booting" or "paused")
                .Select(i => i.GetProperty("instanceId").GetString())
                .ToList();
            if (agent.Status == "STOPPED")
            {
                Assert.Empty(live);
            }
            else
            {
                Assert.Equal([agent.InstanceId], live);
                await alice.PostFormAsync(page, "Stop");
                await WaitForStatusAsync(agentId, "STOPPED");
            }
        }

        await alice.PostFormAsync(page, "Delete");
    }

    private Task<AgentRow> AgentAsync(string agentId) => WebDatabase.AgentAsync(stack, agentId);

    private Task WaitForStatusAsync(string agentId, string status) => WebDatabase.WaitForStatusAsync(stack, agentId, status);

    private async Task<(MucRoom Room, Probe<RoomMessage> Heard, Probe<MucRoomEvent> Events)> JoinAsPersonAsync(string name)
    {
        var person = await RoomPerson.JoinAsync(stack.Ejabberd, new Jid("photos.feldmans", stack.Ejabberd.MucService), name);
        _disposables.Add(person);
        return (person.Room, person.Heard, person.Events);
    }
}
