using Famiglia.Web.Agents;

namespace Famiglia.Web.Tests;

public sealed class AgentLocksTests
{
    [Fact]
    public async Task An_agents_next_operation_waits_until_the_one_running_is_done_and_other_agents_do_not_wait()
    {
        var locks = new AgentLocks();
        var ensure = await locks.EnterAsync("agent-1", CancellationToken.None);

        var stop = locks.EnterAsync("agent-1", CancellationToken.None);
        var other = await locks.EnterAsync("agent-2", CancellationToken.None); // not held up by agent-1
        Assert.False(stop.IsCompleted);

        ensure.Dispose();
        ensure.Dispose(); // a second dispose does not let two in
        using var stopping = await stop;
        var third = locks.EnterAsync("agent-1", CancellationToken.None);
        Assert.False(third.IsCompleted);
        other.Dispose();
        stopping.Dispose();
        (await third).Dispose();
    }

    [Fact]
    public async Task A_wait_given_up_takes_nothing()
    {
        var locks = new AgentLocks();
        var held = await locks.EnterAsync("agent-1", CancellationToken.None);
        using var cancel = new CancellationTokenSource();
        var waiting = locks.EnterAsync("agent-1", cancel.Token);
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);

        held.Dispose();
        (await locks.EnterAsync("agent-1", CancellationToken.None)).Dispose();
    }
}
