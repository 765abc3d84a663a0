using System.Diagnostics;
using Famiglia.Xmpp;

namespace Famiglia.Harness;

/// <summary>
/// The agent's place in its room: connects (retrying until the server is there), joins, stays joined across
/// reconnects (the client library resumes or rejoins and catches up from the archive), and hands the messages meant
/// for the agent to the inbox.
/// </summary>
/// <remarks>
/// What was written to the agent while it was not running (stopped, or not started yet) is not lost, nor what it had
/// not finished when it stopped: the harness keeps its place in the room in the workspace (<see cref="RoomMark"/>),
/// and the join catches up on the room's archive after it, or on the latest <see cref="CatchUpOnFirstStart"/>
/// messages when there is no mark yet. Of the messages the last run never saw, only the agent's own thread reaches
/// it: the main chat of that time was people talking to each other, and an answer hours later would be noise there.
/// Unless the person kept it running all the while and it only slept (aegisd's idle timers terminated it, and what
/// someone wrote woke it): then the main chat since their Start is answered too.
/// </remarks>
internal sealed partial class RoomLink(HarnessSettings settings, AgentInbox inbox, DataApiClient api, ILoggerFactory loggerFactory, TimeProvider time) : IAsyncDisposable
{
    /// <summary>How many of the room's latest messages a first start looks through for ones in the agent's thread.</summary>
    public const int CatchUpOnFirstStart = 50;

    private readonly ILogger _logger = loggerFactory.CreateLogger<RoomLink>();
    private readonly DateTimeOffset _startedAt = time.GetUtcNow();

    // The main chat is answered from here on: this start, or the person's Start when the agent was asleep in between
    // (paused, or terminated by aegisd's idle timers, and woken by what someone wrote to it).
    private DateTimeOffset _answerMainChatSince;
    private readonly RoomMark _mark = new(Path.Combine(settings.WorkspaceDirectory, ".cache", "last-room-message"), loggerFactory.CreateLogger<RoomMark>());
    private readonly AgentMessageFilter _agents = new(settings.DeliverAgentMessages, AgentMessageFilter.NamesOf(settings.Nick, settings.AgentName));
    private XmppClient? _client;
    private MucRoom? _room;

    /// <summary>Joined and not thrown out.</summary>
    public bool IsJoined => _room?.IsJoined == true && Problem is null;

    /// <summary>Why the agent is not in its room for good (kicked, banned, room destroyed), or null.</summary>
    public string? Problem { get; private set; }

    public XmppConnectionState State => _client?.State ?? XmppConnectionState.Disconnected;

    /// <summary>Completes when the room is joined the first time.</summary>
    public Task Joined => _joined.Task;

    private readonly TaskCompletionSource _joined = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Connects and joins, retrying with backoff until it works or <paramref name="cancellationToken"/> fires.
    /// Bad credentials are retried too (the account may be registered a moment later) but logged as errors.</summary>
    public async Task RunAsync(Stopwatch sinceStart, CancellationToken cancellationToken)
    {
        inbox.Finished += message => _mark.Finished(message.Id);
        _agents.ChainLimitReached += thread => AgentChainStopped(_logger, AgentMessageFilter.ChainLimit, thread ?? "the main chat");
        _answerMainChatSince = await RunningSinceAsync(cancellationToken) is { } since && since < _startedAt ? since : _startedAt;
        var delay = TimeSpan.FromMilliseconds(200);
        while (!cancellationToken.IsCancellationRequested)
        {
            var client = new XmppClient(new XmppClientOptions
            {
                Service = settings.XmppService,
                Domain = settings.XmppDomain,
                Username = settings.XmppUser,
                Password = settings.XmppPassword,
                Resource = "harness",
                Tls = settings.XmppTls,
            }, loggerFactory, time);
            try
            {
                await client.ConnectAsync(cancellationToken);
                // Handlers before the join: people may write as soon as they see the agent enter.
                var room = await client.JoinRoomAsync(settings.RoomJid, settings.Nick, beforeJoin: r =>
                {
                    r.OnMessage(OnRoomMessageAsync);
                    r.OnEvent(OnRoomEventAsync);
                    r.CatchUpOnJoin(_mark.CatchUpAfter, CatchUpOnFirstStart);
                    _room = r; // the catch-up hands messages to the agent before JoinRoomAsync returns: its answers need the room
                }, cancellationToken: cancellationToken);
                _client = client;
                _room = room;
                JoinedRoom(_logger, settings.RoomJid.ToString(), settings.Nick, sinceStart.Elapsed.TotalMilliseconds);
                _joined.TrySetResult();
                return;
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                _room = null;
                await client.DisposeAsync();
                if (ex is XmppAuthenticationException)
                {
                    AuthenticationFailed(_logger, settings.XmppUser, delay.TotalMilliseconds);
                }
                else
                {
                    JoinFailed(_logger, ex.GetType().Name, ex.Message, delay.TotalMilliseconds);
                }

                await Task.Delay(delay, time, cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                delay = TimeSpan.FromMilliseconds(Math.Min(10_000, delay.TotalMilliseconds * 2 * (0.8 + (Random.Shared.NextDouble() * 0.4))));
            }
            catch
            {
                await client.DisposeAsync();
                throw;
            }
        }
    }

    /// <summary>Since when the agent's person keeps it running (famiglia-web's <c>GET /api/agent-runtime/self</c>): null
    /// when stopped, or when famiglia-web does not answer within a few seconds (then only this start counts).</summary>
    private async Task<DateTimeOffset?> RunningSinceAsync(CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(5));
        try
        {
            var self = await api.GetJsonAsync(SelfPath, timeout.Token);
            return self?["runningSince"]?.GetValue<string>() is { } text
                && DateTimeOffset.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var since)
                ? since
                : null;
        }
        catch (Exception ex) when (ex is HttpRequestException or RpcException or OperationCanceledException or System.Text.Json.JsonException or InvalidOperationException or FormatException)
        {
            RunningSinceUnknown(_logger, ex.Message);
            return null;
        }
    }

    public const string SelfPath = "/api/agent-runtime/self";

    /// <summary>Sends into the room: into <paramref name="thread"/>, or the main chat when null.</summary>
    public async Task<string> SendAsync(string text, string? thread, CancellationToken cancellationToken)
    {
        var room = _room;
        if (room is null || Problem is not null)
        {
            throw new RpcException(RpcException.NotInRoom, Problem is null ? "not in the room yet" : $"not in the room: {Problem}");
        }

        return await room.SendAsync(text, thread, cancellationToken);
    }

    /// <summary>Leaves the room with an unavailable presence (the other occupants see it) and disconnects.</summary>
    public async Task LeaveAsync(CancellationToken cancellationToken)
    {
        if (_room is { } room)
        {
            await room.LeaveAsync(cancellationToken);
        }

        if (_client is { } client)
        {
            await client.DisconnectAsync(cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_room is not null)
        {
            await _room.DisposeAsync();
        }

        if (_client is not null)
        {
            await _client.DisposeAsync();
        }
    }

    private Task OnRoomMessageAsync(RoomMessage message)
    {
        // Every message counts towards the agents' chains, whether or not it is for this agent.
        var agentMayHear = _agents.Observe(message.Nick, message.Body, message.Thread);
        var forAgent = _mark.Recall(message.StanzaId, message.FromArchive) switch
        {
            EarlierRun.Unfinished => true,
            EarlierRun.Done => false,
            _ => agentMayHear && IsForAgent(message),
        };
        if (message.StanzaId is { } id)
        {
            // Before the inbox has it: the agent may finish it at once.
            _mark.Seen(id, forAgent);
        }

        if (forAgent)
        {
            inbox.Add(new InboxMessage(
                message.StanzaId ?? message.OriginId ?? Guid.NewGuid().ToString("N"),
                message.Nick,
                message.Body,
                message.Thread,
                message.Timestamp,
                message.Room.ToString()));
        }

        return Task.CompletedTask;
    }

    private bool IsForAgent(RoomMessage message)
    {
        if (message.IsOwn || message.Nick == settings.Nick)
        {
            return false;
        }

        // Main chat and the agent's own document thread; other documents' threads belong to other tabs.
        if (message.Thread is not null && message.Thread != settings.Thread)
        {
            return false;
        }

        // Written before this start, while the agent was not running: only its own thread (see the remarks).
        if (message.FromArchive && message.Timestamp < _answerMainChatSince && message.Thread is null)
        {
            return false;
        }

        return true;
    }

    private Task OnRoomEventAsync(MucRoomEvent roomEvent)
    {
        switch (roomEvent.Kind)
        {
            case MucRoomEventKind.Kicked or MucRoomEventKind.Banned or MucRoomEventKind.Destroyed
                or MucRoomEventKind.RemovedFromMembersOnly or MucRoomEventKind.RejoinFailed:
                Problem = $"{roomEvent.Kind.ToString().ToLowerInvariant()}{(roomEvent.Reason is null ? "" : ": " + roomEvent.Reason)}";
                RoomLost(_logger, Problem);
                break;
            case MucRoomEventKind.Rejoined:
                Problem = null;
                Rejoined(_logger);
                break;
        }

        return Task.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "joined {Room} as {Nick}, {Ms:0} ms after start")]
    private static partial void JoinedRoom(ILogger logger, string room, string nick, double ms);

    [LoggerMessage(Level = LogLevel.Error, Message = "XMPP login refused for user {User}; retrying in {DelayMs:0} ms")]
    private static partial void AuthenticationFailed(ILogger logger, string user, double delayMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "could not join the room ({Type}: {Error}); retrying in {DelayMs:0} ms")]
    private static partial void JoinFailed(ILogger logger, string type, string error, double delayMs);

    [LoggerMessage(Level = LogLevel.Error, Message = "out of the room: {Problem}")]
    private static partial void RoomLost(ILogger logger, string problem);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not ask famiglia-web since when the agent runs ({Error}); the main chat is answered from this start")]
    private static partial void RunningSinceUnknown(ILogger logger, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Count} agents' messages in a row in {Conversation} with no person writing: agents' messages there are not delivered until a person writes")]
    private static partial void AgentChainStopped(ILogger logger, int count, string conversation);

    [LoggerMessage(Level = LogLevel.Information, Message = "rejoined the room")]
    private static partial void Rejoined(ILogger logger);
}
