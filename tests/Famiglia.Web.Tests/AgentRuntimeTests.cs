using System.Net;
using System.Text;
using Famiglia.Web.Chat;
using Famiglia.Web.Tests.Auth;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.EntityFrameworkCore;

namespace Famiglia.Web.Tests;

public sealed class AgentRuntimeTests(SqliteSpace space) : IClassFixture<SqliteSpace>
{
    [Fact]
    public async Task A_heartbeat_with_the_agents_key_sets_last_heartbeat()
    {
        using var response = await space.Feldmans.PostAsync("/api/agent-runtime/heartbeat",
            new StringContent("""{"ok":true,"detail":"joined"}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        var last = await space.Web.QueryAsync(db => db.AgentConfigs.Where(a => a.Name == "photo-agent").Select(a => a.LastHeartbeat).SingleAsync());
        Assert.Equal(space.Web.Clock.GetUtcNow().UtcDateTime, last);
    }

    [Fact]
    public async Task A_heartbeat_without_a_key_is_401_and_a_bad_body_is_400_naming_it()
    {
        using var anonymous = space.Web.CreateAgentClient(null);
        using var unauthorized = await anonymous.PostAsync("/api/agent-runtime/heartbeat", new StringContent("{}", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Unauthorized, unauthorized.StatusCode);

        using var bad = await space.Feldmans.PostAsync("/api/agent-runtime/heartbeat", new StringContent("[1,2", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("\"body\"", await bad.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Self_says_since_when_the_agent_is_kept_running_and_null_once_stopped()
    {
        var started = new DateTime(2026, 2, 27, 8, 0, 0, DateTimeKind.Utc);
        await space.Web.QueryAsync(db => db.AgentConfigs.Where(a => a.Name == "photo-agent")
            .ExecuteUpdateAsync(set => set.SetProperty(a => a.StartedAt, started).SetProperty(a => a.StoppedAt, (DateTime?)null)));
        Assert.Equal("""{"runningSince":"2026-02-27T08:00:00Z"}""", await space.Feldmans.GetStringAsync("/api/agent-runtime/self"));

        await space.Web.QueryAsync(db => db.AgentConfigs.Where(a => a.Name == "photo-agent")
            .ExecuteUpdateAsync(set => set.SetProperty(a => a.StoppedAt, started.AddMinutes(5))));
        Assert.Equal("""{"runningSince":null}""", await space.Feldmans.GetStringAsync("/api/agent-runtime/self"));
    }

    [Fact]
    public async Task A_browser_that_joins_the_room_after_a_canvas_bump_is_told_the_agents_latest_version()
    {
        // The bump's own push reaches only browsers already in the room; a tab rendered before it and joining after
        // it would keep showing the older canvas.
        var agent = await space.Web.QueryAsync(db => db.AgentConfigs.Where(a => a.Name == "photo-agent")
            .Select(a => new { a.Id, RoomId = a.Document!.RoomId }).SingleAsync());
        foreach (var version in new[] { 6, 7 })
        {
            using var bump = await space.Feldmans.PostAsync("/api/agent-runtime/canvas-version",
                new StringContent($$"""{"version":{{version}}}""", Encoding.UTF8, "application/json"));
            Assert.Equal(HttpStatusCode.NoContent, bump.StatusCode);
        }

        await using var alice = await BrowserSession.SignedInAsync(space.Web, "alice");
        var hub = await alice.ConnectHubAsync();
        await hub.Connection.InvokeAsync<List<ChatMessage>>("JoinRoom", agent.RoomId);

        var told = await hub.CanvasVersions.NextMatchingAsync(v => v.AgentId == agent.Id);
        Assert.Equal(7, told.Version);
    }
}
