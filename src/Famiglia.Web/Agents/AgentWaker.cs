using System.Threading.Channels;
using Famiglia.Web.Chat;
using Famiglia.Web.Spaces;
using Famiglia.Xmpp;
using Microsoft.EntityFrameworkCore;

namespace Famiglia.Web.Agents;

/// <summary>
/// Wakes the agents a person writes to. aegisd's idle timers pause an instance after a minute without requests to its
/// canvas and terminate it later; they do not see chat, so an agent people only talk to (a chat-only template, or a
/// canvas nobody has open) would sleep through what they write. A message in a room's main chat wakes every agent of
/// the room that its person keeps running (started and not stopped) and that is not running now; a message in an
/// agent's thread wakes that agent. Woken, the harness reads what was written meanwhile: from its connection after a
/// pause, from the room's archive after a terminate. An agent's message wakes the agents it mentions (<c>@Name</c>),
/// whose harness delivers it to them: one agent can hand work to another that sleeps.
/// </summary>
internal sealed partial class AgentWaker(IDbContextFactory<FamigliaDbContext> db, AgentLifecycle agents, TimeProvider time, ILogger<AgentWaker> logger) : BackgroundService
{
    /// <summary>How recently a message must have found an agent running for its falling asleep to wake it (FellAsleep).</summary>
    public static readonly TimeSpan JustWritten = TimeSpan.FromSeconds(2);

    // When a message for an agent last found it RUNNING or STARTING here (so it was not woken for it).
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, DateTimeOffset> _foundAwake = new(StringComparer.Ordinal);

    // Wakes are idempotent: when people write faster than agents wake, the oldest notes can go.
    private readonly Channel<Note> _written = Channel.CreateBounded<Note>(
        new BoundedChannelOptions(1024) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });

    // The agents being woken, each with whether someone wrote to it again meanwhile (then it is looked at once more when
    // its wake is done: the wake may have seen it running just before it was paused).
    private readonly Lock _gate = new();
    private readonly Dictionary<string, bool> _waking = new(StringComparer.Ordinal);

    /// <summary>A person wrote in the room: in <paramref name="thread"/>, or in its main chat when null.</summary>
    public void Written(string roomId, string? thread) => _written.Writer.TryWrite(new Note(roomId, thread, null, null));

    /// <summary>
    /// The agent, kept running by its person, was just paused or terminated by aegisd's idle timers (famiglia-web now
    /// says so). A message written a moment before found it still RUNNING here and did not wake it, though aegisd had
    /// already put it to sleep, so nobody would answer it: when a message for it found it awake within
    /// <see cref="JustWritten"/>, it is woken now. (A wake it did not need only resumes an idle agent for another idle
    /// minute.)
    /// </summary>
    public void FellAsleep(string agentId, string name)
    {
        if (_foundAwake.TryRemove(agentId, out var found) && found >= time.GetUtcNow() - JustWritten)
        {
            Wake(agentId, name);
        }
    }

    /// <summary>An agent (<paramref name="authorNick"/>) wrote <paramref name="body"/> in the room: the agents it mentions
    /// are for it.</summary>
    public void Mentioned(string roomId, string? thread, string body, string authorNick) =>
        _written.Writer.TryWrite(new Note(roomId, thread, body, authorNick));

    /// <summary>Something written in a room; <see cref="AgentBody"/> is set when an agent wrote it.</summary>
    private sealed record Note(string RoomId, string? Thread, string? AgentBody, string? AgentNick);

    private CancellationToken _stopping;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _stopping = stoppingToken;
        await foreach (var note in _written.Reader.ReadAllAsync(stoppingToken))
        {
            List<(string Id, string Name)> asleep;
            try
            {
                asleep = await AsleepAsync(note, stoppingToken);
            }
            catch (Exception ex) when (ex is DbUpdateException or InvalidOperationException or System.Data.Common.DbException)
            {
                LookupFailed(logger, note.RoomId, ex);
                continue;
            }

            foreach (var (id, name) in asleep)
            {
                Wake(id, name);
            }
        }
    }

    private void Wake(string agentId, string name)
    {
        // One wake per agent at a time; what is written meanwhile makes it look once more when done.
        lock (_gate)
        {
            if (_waking.ContainsKey(agentId))
            {
                _waking[agentId] = true;
                return;
            }

            _waking[agentId] = false;
        }

        _ = WakeAsync(agentId, name, _stopping);
    }

    /// <summary>The agents of the room the message is for that their person keeps running and that do not run now: for a
    /// person's message, those of the main chat or the thread's; for an agent's, of those the ones it mentions. Those it
    /// finds running are remembered for <see cref="FellAsleep"/>.</summary>
    private async Task<List<(string Id, string Name)>> AsleepAsync(Note note, CancellationToken cancellationToken)
    {
        await using var context = await db.CreateDbContextAsync(cancellationToken);
        var rows = await context.AgentConfigs.AsNoTracking()
            .Where(a => a.Document!.RoomId == note.RoomId && a.AegisAppId != null)
            .Where(a => note.Thread == null || a.Document!.CrdtKey == note.Thread)
            .Where(AgentLifecycle.WantsRunningInDatabase)
            .Select(a => new { a.Id, a.Name, a.XmppUser, a.Status })
            .ToListAsync(cancellationToken);
        var forIt = rows
            .Where(r => note.AgentBody is null
                || (ChatAddresses.AgentUser(note.AgentNick!) != r.XmppUser
                    && MucMentions.Mentions(note.AgentBody, [r.Name, r.XmppUser[ChatAddresses.AgentUserPrefix.Length..]])))
            .ToList();
        var now = time.GetUtcNow();
        foreach (var awake in forIt.Where(r => r.Status is AgentStatus.RUNNING or AgentStatus.STARTING))
        {
            _foundAwake[awake.Id] = now;
        }

        return [.. forIt.Where(r => r.Status is not (AgentStatus.RUNNING or AgentStatus.STARTING)).Select(r => (r.Id, r.Name))];
    }

    private async Task WakeAsync(string agentId, string name, CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                if (await agents.EnsureIfWantedAsync(agentId, cancellationToken))
                {
                    Woken(logger, name);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
            }
            catch (Exception ex) when (ex is AegisException or AgentOperationException or HttpRequestException or DbUpdateException)
            {
                WakeFailed(logger, name, ex.Message);
            }

            lock (_gate)
            {
                if (!_waking[agentId] || cancellationToken.IsCancellationRequested)
                {
                    _waking.Remove(agentId);
                    return;
                }

                _waking[agentId] = false;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Agent {Agent} woken: someone wrote to it")]
    private static partial void Woken(ILogger logger, string agent);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Agent {Agent} could not be woken for a message: {Error}")]
    private static partial void WakeFailed(ILogger logger, string agent, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not look up the agents of room {Room} to wake")]
    private static partial void LookupFailed(ILogger logger, string room, Exception exception);
}
