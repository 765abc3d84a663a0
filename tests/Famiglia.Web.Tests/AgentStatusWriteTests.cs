using Famiglia.Web.Agents;
using Famiglia.Web.Spaces;
using Microsoft.EntityFrameworkCore;

namespace Famiglia.Web.Tests;

public sealed class AgentStatusWriteTestsOnSqlite(SqliteSpace space) : AgentStatusWriteTests(space), IClassFixture<SqliteSpace>;

public sealed class AgentStatusWriteTestsOnPostgres(PostgresSpace space) : AgentStatusWriteTests(space), IClassFixture<PostgresSpace>;

/// <summary>
/// What aegisd reports about an agent's instances is written by famiglia-web's event listener after it read the agent;
/// a Stop, or a newer instance, committed in between must win. Each test does that in-between write first and then the
/// listener's write, on each provider (a CI run once showed a stopped agent RUNNING again: the listener had read it
/// before the Stop and saved after it).
/// </summary>
public abstract class AgentStatusWriteTests(SeededSpace space)
{
    private static readonly DateTime Now = new(2026, 11, 27, 7, 0, 0, DateTimeKind.Utc);

    [Fact]
    public async Task An_instance_state_reported_for_a_running_agent_is_written()
    {
        var agentId = await NewAgentAsync(startedAt: Now.AddMinutes(-1), stoppedAt: null, instanceId: null);

        Assert.True(await WriteAsync(agentId, AgentStatus.RUNNING, "inst_one"));

        Assert.Equal((AgentStatus.RUNNING, "inst_one"), await StatusAsync(agentId));
    }

    [Fact]
    public async Task A_start_reported_after_the_person_pressed_Stop_leaves_the_agent_stopped()
    {
        var agentId = await NewAgentAsync(startedAt: Now.AddMinutes(-1), stoppedAt: null, instanceId: "inst_one");
        // The Stop, committed after the listener read the agent (then still wanted running).
        await space.Web.QueryAsync(context => context.AgentConfigs.Where(a => a.Id == agentId).ExecuteUpdateAsync(set => set
            .SetProperty(a => a.StoppedAt, Now)
            .SetProperty(a => a.Status, AgentStatus.STOPPED)
            .SetProperty(a => a.AegisInstanceId, (string?)null)));

        Assert.False(await WriteAsync(agentId, AgentStatus.RUNNING, "inst_one"));
        Assert.False(await WriteAsync(agentId, AgentStatus.ERROR, "inst_one"));

        Assert.Equal((AgentStatus.STOPPED, null), await StatusAsync(agentId));
    }

    [Fact]
    public async Task An_old_instance_ending_after_a_new_one_started_leaves_the_new_one()
    {
        var agentId = await NewAgentAsync(startedAt: Now.AddMinutes(-1), stoppedAt: null, instanceId: "inst_new");

        Assert.False(await WriteAsync(agentId, AgentStatus.STOPPED, "inst_old"));
        Assert.Equal((AgentStatus.RUNNING, "inst_new"), await StatusAsync(agentId));

        // Its own end is written, and forgets the instance.
        Assert.True(await WriteAsync(agentId, AgentStatus.ERROR, "inst_new"));
        Assert.Equal((AgentStatus.ERROR, null), await StatusAsync(agentId));
    }

    [Fact]
    public async Task An_agent_started_again_after_a_stop_takes_what_is_reported()
    {
        var agentId = await NewAgentAsync(startedAt: Now, stoppedAt: Now.AddSeconds(-1), instanceId: null);

        Assert.True(await WriteAsync(agentId, AgentStatus.STARTING, "inst_two"));

        Assert.Equal((AgentStatus.STARTING, "inst_two"), await StatusAsync(agentId));
    }

    [Fact]
    public async Task What_an_ensure_returned_is_written_when_nothing_moved_the_agent_meanwhile()
    {
        var agentId = await NewAgentAsync(startedAt: Now.AddMinutes(-1), stoppedAt: null, instanceId: null);

        Assert.True(await WriteEnsuredAsync(agentId, await UpdatedAtAsync(agentId), AgentStatus.RUNNING, "inst_one"));

        Assert.Equal((AgentStatus.RUNNING, "inst_one"), await StatusAsync(agentId));
    }

    [Fact]
    public async Task An_ensures_answer_follows_its_own_instances_boot_reported_meanwhile()
    {
        // Start: STARTING without an instance; aegisd reported the new instance booting before the ensure answered.
        var agentId = await NewAgentAsync(startedAt: Now.AddMinutes(-1), stoppedAt: null, instanceId: null);
        var before = await UpdatedAtAsync(agentId);
        Assert.True(await WriteAsync(agentId, AgentStatus.STARTING, "inst_new"));

        Assert.True(await WriteEnsuredAsync(agentId, before, AgentStatus.RUNNING, "inst_new"));
        Assert.Equal((AgentStatus.RUNNING, "inst_new"), await StatusAsync(agentId));
    }

    [Fact]
    public async Task An_ensures_answer_does_not_undo_what_aegisd_reported_while_it_ran()
    {
        // A wake resumed inst_one (it was paused); before its "running" answer was written, aegisd reported the resume,
        // a new pause: the row says PAUSED again, as when the ensure began, and must stay so.
        var agentId = await NewAgentAsync(startedAt: Now.AddMinutes(-1), stoppedAt: null, instanceId: "inst_one");
        Assert.True(await WriteAsync(agentId, AgentStatus.PAUSED, "inst_one"));
        var before = await UpdatedAtAsync(agentId);
        Assert.True(await WriteAsync(agentId, AgentStatus.RUNNING, "inst_one"));
        Assert.True(await WriteAsync(agentId, AgentStatus.PAUSED, "inst_one"));

        Assert.False(await WriteEnsuredAsync(agentId, before, AgentStatus.RUNNING, "inst_one"));
        Assert.Equal((AgentStatus.PAUSED, "inst_one"), await StatusAsync(agentId));

        // Or terminated it: the ended instance does not come back.
        before = await UpdatedAtAsync(agentId);
        Assert.True(await WriteAsync(agentId, AgentStatus.STOPPED, "inst_one"));
        Assert.False(await WriteEnsuredAsync(agentId, before, AgentStatus.RUNNING, "inst_one"));
        Assert.Equal((AgentStatus.STOPPED, null), await StatusAsync(agentId));
    }

    private Task<bool> WriteEnsuredAsync(string agentId, DateTime updatedBefore, AgentStatus status, string instanceId) =>
        space.Web.QueryAsync(context => AgentLifecycle.WriteEnsuredAsync(context, agentId, updatedBefore, status, instanceId, Later(), CancellationToken.None));

    private Task<bool> WriteAsync(string agentId, AgentStatus status, string instanceId) =>
        space.Web.QueryAsync(context => AegisEventsListener.WriteAsync(context, agentId, status, instanceId, Later(), CancellationToken.None));

    // Every write at a later time, as in production (the ensure's write compares UpdatedAt).
    private int _writes;

    private DateTime Later() => Now.AddSeconds(Interlocked.Increment(ref _writes));

    private Task<DateTime> UpdatedAtAsync(string agentId) =>
        space.Web.QueryAsync(context => context.AgentConfigs.Where(a => a.Id == agentId).Select(a => a.UpdatedAt).SingleAsync());

    private Task<(AgentStatus, string?)> StatusAsync(string agentId) =>
        space.Web.QueryAsync(async context =>
        {
            var agent = await context.AgentConfigs.AsNoTracking().SingleAsync(a => a.Id == agentId);
            return (agent.Status, agent.AegisInstanceId);
        });

    private Task<string> NewAgentAsync(DateTime startedAt, DateTime? stoppedAt, string? instanceId) =>
        space.Web.QueryAsync(async context =>
        {
            var room = await context.Rooms.Where(r => r.Slug == "photos" && r.Group!.Slug == "feldmans").Select(r => r.Id).SingleAsync();
            var document = new RoomDocument { RoomId = room, Type = DocumentType.AGENT, Title = "Status Write", CreatedAt = Now, UpdatedAt = Now };
            var slug = "s-status-" + Guid.NewGuid().ToString("N")[..8];
            var agent = new AgentConfig
            {
                DocumentId = document.Id,
                Name = "Status Write " + slug,
                ApiKey = "key-" + slug,
                XmppUser = slug,
                XmppPassword = "sealed:v1:none",
                Status = instanceId is null ? AgentStatus.STARTING : AgentStatus.RUNNING,
                AegisInstanceId = instanceId,
                StartedAt = startedAt,
                StoppedAt = stoppedAt,
                CreatedAt = Now,
                UpdatedAt = Now,
            };
            context.Documents.Add(document);
            context.AgentConfigs.Add(agent);
            await context.SaveChangesAsync();
            return agent.Id;
        });
}
