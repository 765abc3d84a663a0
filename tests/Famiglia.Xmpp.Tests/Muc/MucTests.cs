using Famiglia.TestKit;
using Famiglia.Xmpp.Admin;
using Xunit.Abstractions;

namespace Famiglia.Xmpp.Tests.Muc;

public class MucTests(EjabberdFixture ejabberd, ITestOutputHelper output) : XmppTestBase(output), IClassFixture<EjabberdFixture>
{
    [Fact]
    public async Task Leave_ends_when_the_room_confirms_not_at_the_request_timeout()
    {
        var roomJid = NewRoom(ejabberd);
        var alice = await ConnectAsync(ejabberd, "aliceleave");
        var agent = await ConnectAsync(ejabberd, "agentleave", configure: o => o with { RequestTimeout = TimeSpan.FromMinutes(10) });
        var aliceRoom = await alice.JoinRoomAsync(roomJid, "@u:alice@dev1.localhost");
        var events = new Probe<MucRoomEvent>();
        aliceRoom.OnEvent(events.Add);
        var agentRoom = await agent.JoinRoomAsync(roomJid, "@s:leaver@dev1.localhost");

        // Hang guard only: waiting for the 10-minute request timeout would fail here.
        await agentRoom.LeaveAsync().WaitAsync(TimeSpan.FromSeconds(60));
        Assert.False(agentRoom.IsJoined);
        await events.NextMatchingAsync(e => e.Kind == MucRoomEventKind.OccupantLeft && e.Nick == "@s:leaver@dev1.localhost");
    }

    [Fact]
    public async Task Handlers_registered_before_the_join_hear_a_message_sent_the_moment_we_enter()
    {
        var roomJid = NewRoom(ejabberd);
        var alice = await ConnectAsync(ejabberd, "aliceearly");
        var agent = await ConnectAsync(ejabberd, "agentearly");
        var aliceRoom = await alice.JoinRoomAsync(roomJid, "@u:alice@dev1.localhost");

        // Alice speaks as soon as she sees the agent enter, which can be before JoinRoomAsync returns to the agent.
        aliceRoom.OnEvent(async e =>
        {
            if (e.Kind == MucRoomEventKind.OccupantJoined && e.Nick == "@s:early@dev1.localhost")
            {
                await aliceRoom.SendAsync("welcome!");
            }
        });
        var heard = new Probe<RoomMessage>();
        var joinedWhenRegistered = true;
        await agent.JoinRoomAsync(roomJid, "@s:early@dev1.localhost", beforeJoin: room =>
        {
            joinedWhenRegistered = room.IsJoined;
            room.OnMessage(heard.Add);
        });

        Assert.False(joinedWhenRegistered);
        Assert.Equal("welcome!", (await heard.NextAsync()).Body);
    }

    [Fact]
    public async Task A_first_join_can_catch_up_on_what_was_said_after_a_kept_mark_or_else_the_latest_messages_once_in_order()
    {
        // An agent that was stopped: it kept the stanza id of the last message it saw, and joins again later.
        var roomJid = NewRoom(ejabberd, "archived");
        await ejabberd.Admin.CreateRoomAsync(roomJid.Local!, ejabberd.MucService, ejabberd.Host,
            new Dictionary<string, string> { ["persistent"] = "true", ["mam"] = "true" });
        var alice = await ConnectAsync(ejabberd, "alicecatch");
        var aliceRoom = await alice.JoinRoomAsync(roomJid, "@u:alice@dev1.localhost");
        var firstRun = await ConnectAsync(ejabberd, "agentcatch1");
        var firstRoom = await firstRun.JoinRoomAsync(roomJid, "@s:catcher@dev1.localhost");
        var heardFirst = Collect(firstRoom);
        await aliceRoom.SendAsync("seen before the stop");
        var mark = (await heardFirst.NextAsync()).StanzaId;
        Assert.NotNull(mark);
        await firstRoom.LeaveAsync();
        await firstRun.DisposeAsync();

        for (var i = 0; i < 3; i++)
        {
            await aliceRoom.SendAsync($"while stopped {i}", thread: i == 1 ? "doc" : null);
        }

        // Alice speaks again the moment the agent is back: that live message comes after the archived ones, once.
        aliceRoom.OnEvent(async e =>
        {
            if (e.Kind == MucRoomEventKind.OccupantJoined && e.Nick == "@s:catcher@dev1.localhost")
            {
                await aliceRoom.SendAsync("welcome back");
            }
        });
        var secondRun = await ConnectAsync(ejabberd, "agentcatch2");
        var heard = new Probe<RoomMessage>();
        await secondRun.JoinRoomAsync(roomJid, "@s:catcher@dev1.localhost", beforeJoin: room =>
        {
            room.OnMessage(heard.Add);
            room.CatchUpOnJoin(mark);
        });
        var caughtUp = await heard.NextAsync(4);
        Assert.Equal(["while stopped 0", "while stopped 1", "while stopped 2", "welcome back"], caughtUp.Select(m => m.Body));
        Assert.Equal([null, "doc", null, null], caughtUp.Select(m => m.Thread));
        Assert.All(caughtUp.Take(3), m => Assert.True(m.FromArchive)); // "welcome back" may come live or from the archive: once either way
        await aliceRoom.SendAsync("live");
        Assert.Equal("live", (await heard.NextAsync()).Body);
        Assert.False(heard.TryTake(out _));

        // No mark (a first start): the latest messages, oldest first, then live ones.
        var fresh = await ConnectAsync(ejabberd, "agentcatch3");
        var latest = new Probe<RoomMessage>();
        await fresh.JoinRoomAsync(roomJid, "@s:fresh@dev1.localhost", beforeJoin: room =>
        {
            room.OnMessage(latest.Add);
            room.CatchUpOnJoin(null, last: 2);
        });
        Assert.Equal(["welcome back", "live"], (await latest.NextAsync(2)).Select(m => m.Body));
        await aliceRoom.SendAsync("live again");
        Assert.Equal("live again", (await latest.NextAsync()).Body);
        Assert.False(latest.TryTake(out _));

        await Assert.ThrowsAsync<InvalidOperationException>(async () => (await secondRun.JoinRoomAsync(NewRoom(ejabberd), "x")).CatchUpOnJoin(null));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Two_clients_exchange_groupchat_with_and_without_threads(bool webSocket)
    {
        var roomJid = NewRoom(ejabberd);
        var alice = await ConnectAsync(ejabberd, $"alice{webSocket}", webSocket);
        var bob = await ConnectAsync(ejabberd, $"bob{webSocket}", webSocket);
        var aliceRoom = await alice.JoinRoomAsync(roomJid, "@u:alice@dev1.localhost");
        var bobRoom = await bob.JoinRoomAsync(roomJid, "@s:photo-agent@dev1.localhost");
        var atBob = Collect(bobRoom);
        var atAlice = Collect(aliceRoom);

        await aliceRoom.SendAsync("Build me a photo library");
        await bobRoom.SendAsync("Found 234 photos! Building gallery...", thread: "clx_document_crdt_key");

        var first = await atBob.NextAsync();
        Assert.Equal("Build me a photo library", first.Body);
        Assert.Equal("@u:alice@dev1.localhost", first.Nick);
        Assert.Null(first.Thread);
        Assert.False(first.IsOwn);
        Assert.NotNull(first.StanzaId);

        var reply = await atAlice.NextAsync();
        Assert.Equal("Found 234 photos! Building gallery...", reply.Body);
        Assert.Equal("clx_document_crdt_key", reply.Thread);
        Assert.Equal("@s:photo-agent@dev1.localhost", reply.Nick);

        // Own echoes are not delivered back by default.
        Assert.False(atAlice.TryTake(out _));
        Assert.Contains("@s:photo-agent@dev1.localhost", aliceRoom.Occupants.Keys);
    }

    [Fact]
    public async Task Own_echoes_are_delivered_once_and_marked_when_asked_for()
    {
        var roomJid = NewRoom(ejabberd);
        var alice = await ConnectAsync(ejabberd, "echoalice", configure: o => o with { DeliverOwnMessages = true });
        var room = await alice.JoinRoomAsync(roomJid, "alice");
        var probe = Collect(room);

        var originId = await room.SendAsync("hello me");
        var echo = await probe.NextAsync();

        Assert.True(echo.IsOwn);
        Assert.Equal(originId, echo.OriginId);
    }

    [Fact]
    public async Task A_members_only_room_refuses_a_non_member_until_made_member()
    {
        var roomJid = NewRoom(ejabberd, "family");
        await ejabberd.Admin.CreateRoomAsync(roomJid.Local!, ejabberd.MucService, ejabberd.Host,
            new Dictionary<string, string> { ["members_only"] = "true", ["persistent"] = "true" });
        var agent = await ConnectAsync(ejabberd, "s-family-agent");

        var refused = await Assert.ThrowsAsync<MucJoinException>(() => agent.JoinRoomAsync(roomJid, "@s:family-agent@dev1.localhost"));
        Assert.Equal("registration-required", refused.Condition);
        Assert.Contains("members-only", refused.Message, StringComparison.Ordinal);

        await ejabberd.Admin.SetRoomAffiliationAsync(roomJid.Local!, ejabberd.MucService, $"s-family-agent@{ejabberd.Host}", "member");
        var room = await agent.JoinRoomAsync(roomJid, "@s:family-agent@dev1.localhost");

        Assert.True(room.IsJoined);
        var occupants = await ejabberd.Admin.GetRoomOccupantsAsync(roomJid.Local!, ejabberd.MucService);
        Assert.Contains(occupants, o => o.Nick == "@s:family-agent@dev1.localhost");
    }

    [Fact]
    public async Task Long_bodies_and_special_characters_round_trip_unchanged()
    {
        var roomJid = NewRoom(ejabberd);
        var alice = await ConnectAsync(ejabberd, "rtalice");
        var bob = await ConnectAsync(ejabberd, "rtbob", webSocket: true);
        var aliceRoom = await alice.JoinRoomAsync(roomJid, "alice");
        var bobRoom = await bob.JoinRoomAsync(roomJid, "bob");
        var atBob = Collect(bobRoom);

        var bodies = new[]
        {
            string.Concat(Enumerable.Range(0, 10_000).Select(i => (char)('a' + (i % 26)))),
            "<>&'\" </body></message><message>",
            "emoji 👨‍👩‍👧‍👦 🎉 and ZWJ",
            "עברית ومرحبا RTL \u202Emixed\u202C",
            "  leading and trailing spaces, tabs\tand\nnewlines\n  ",
            "]]> and <![CDATA[ x ]]>",
        };
        foreach (var body in bodies)
        {
            await aliceRoom.SendAsync(body, thread: "t<&>'\"");
        }

        foreach (var body in bodies)
        {
            var received = await atBob.NextAsync();
            Assert.Equal(body, received.Body);
            Assert.Equal("t<&>'\"", received.Thread);
        }
    }

    [Fact]
    public async Task A_slow_handler_holds_up_neither_other_rooms_nor_pings()
    {
        var slowJid = NewRoom(ejabberd, "slow");
        var fastJid = NewRoom(ejabberd, "fast");
        var agent = await ConnectAsync(ejabberd, "busyagent");
        var sender = await ConnectAsync(ejabberd, "busysender");
        var slowRoom = await agent.JoinRoomAsync(slowJid, "agent");
        var fastRoom = await agent.JoinRoomAsync(fastJid, "agent");
        var senderSlow = await sender.JoinRoomAsync(slowJid, "sender");
        var senderFast = await sender.JoinRoomAsync(fastJid, "sender");

        var slowStarted = new TaskCompletionSource();
        var slowFinished = new TaskCompletionSource();
        slowRoom.OnMessage(async _ =>
        {
            slowStarted.TrySetResult();
            await Task.Delay(TimeSpan.FromSeconds(10));
            slowFinished.TrySetResult();
        });
        var fast = Collect(fastRoom);

        await senderSlow.SendAsync("take your time");
        await slowStarted.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await senderFast.SendAsync("are you there?");

        var received = await fast.NextAsync();
        Assert.Equal("are you there?", received.Body);
        Assert.False(slowFinished.Task.IsCompleted, "the fast room's message must not wait for the slow handler");

        // The agent's connection answers a ping while its slow handler still runs.
        var ping = new IqStanza("get", agent.BoundJid, new System.Xml.Linq.XElement(Ns.Ping + "ping"));
        Assert.Equal("result", (await sender.SendIqAsync(ping)).Type);
        Assert.False(slowFinished.Task.IsCompleted, "the ping must not wait for the slow handler");
    }

    [Fact]
    public async Task A_handler_that_blocks_its_thread_holds_up_neither_other_rooms_nor_pings()
    {
        // Handlers run as thread-pool work items queued to the thread that read the message: one that blocks that
        // thread (not awaiting) must leave what was queued behind it to other threads.
        var blockedJid = NewRoom(ejabberd, "blocked");
        var fastJid = NewRoom(ejabberd, "fast");
        var agent = await ConnectAsync(ejabberd, "blockedagent");
        var sender = await ConnectAsync(ejabberd, "blockedsender");
        var blockedRoom = await agent.JoinRoomAsync(blockedJid, "agent");
        var fastRoom = await agent.JoinRoomAsync(fastJid, "agent");
        var senderBlocked = await sender.JoinRoomAsync(blockedJid, "sender");
        var senderFast = await sender.JoinRoomAsync(fastJid, "sender");

        using var release = new ManualResetEventSlim();
        var blockedStarted = new TaskCompletionSource();
        var blockedFinished = new TaskCompletionSource();
        blockedRoom.OnMessage(_ =>
        {
            blockedStarted.TrySetResult();
            release.Wait(TimeSpan.FromSeconds(60)); // bounded only so a failing run ends
            blockedFinished.TrySetResult();
            return Task.CompletedTask;
        });
        var fast = Collect(fastRoom);

        try
        {
            await senderBlocked.SendAsync("hold this thread");
            await blockedStarted.Task.WaitAsync(TimeSpan.FromSeconds(30));
            await senderFast.SendAsync("are you there?");

            Assert.Equal("are you there?", (await fast.NextAsync()).Body);
            var ping = new IqStanza("get", agent.BoundJid, new System.Xml.Linq.XElement(Ns.Ping + "ping"));
            Assert.Equal("result", (await sender.SendIqAsync(ping)).Type);
            Assert.False(blockedFinished.Task.IsCompleted, "the blocked handler is released only now");
        }
        finally
        {
            release.Set();
        }

        await blockedFinished.Task.WaitAsync(TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task Messages_in_one_room_reach_the_handler_in_order()
    {
        var roomJid = NewRoom(ejabberd);
        var alice = await ConnectAsync(ejabberd, "orderalice");
        var bob = await ConnectAsync(ejabberd, "orderbob");
        var aliceRoom = await alice.JoinRoomAsync(roomJid, "alice");
        var bobRoom = await bob.JoinRoomAsync(roomJid, "bob");
        var atBob = Collect(bobRoom);

        for (var i = 0; i < 500; i++)
        {
            await aliceRoom.SendAsync($"m{i}");
        }

        var received = await atBob.NextAsync(500);
        Assert.Equal(Enumerable.Range(0, 500).Select(i => $"m{i}"), received.Select(m => m.Body));
    }

    [Fact]
    public async Task Admin_can_make_an_existing_room_members_only_and_reserve_a_nick_for_one_jid()
    {
        var roomJid = NewRoom(ejabberd, "reserved");
        await ejabberd.Admin.CreateRoomAsync(roomJid.Local!, ejabberd.MucService, ejabberd.Host, new Dictionary<string, string> { ["persistent"] = "true" });
        var owner = await ConnectAsync(ejabberd, "nickowner");
        var other = await ConnectAsync(ejabberd, "nickother");

        // A nick reserved for nickowner's JID: anyone else entering with it is refused.
        await ejabberd.Admin.RegisterNickAsync("@u:nickowner@dev1.localhost", $"nickowner@{ejabberd.Host}", ejabberd.MucService);
        await ejabberd.Admin.RegisterNickAsync("@u:nickowner@dev1.localhost", $"nickowner@{ejabberd.Host}", ejabberd.MucService); // idempotent
        var taken = await Assert.ThrowsAsync<MucJoinException>(() => other.JoinRoomAsync(roomJid, "@u:nickowner@dev1.localhost"));
        Assert.Equal("conflict", taken.Condition);
        Assert.True((await owner.JoinRoomAsync(roomJid, "@u:nickowner@dev1.localhost")).IsJoined);

        // The open room made members-only afterwards: a non-member can no longer enter.
        await ejabberd.Admin.ChangeRoomOptionAsync(roomJid.Local!, ejabberd.MucService, "members_only", "true");
        var refused = await Assert.ThrowsAsync<MucJoinException>(() => other.JoinRoomAsync(roomJid, "@u:nickother@dev1.localhost"));
        Assert.Equal("registration-required", refused.Condition);

        var error = await Assert.ThrowsAsync<EjabberdAdminException>(() =>
            ejabberd.Admin.ChangeRoomOptionAsync("no-such-room-" + Guid.NewGuid().ToString("N")[..6], ejabberd.MucService, "members_only", "true"));
        Assert.Contains("change_room_option", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_nick_already_in_use_is_refused_with_conflict()
    {
        var roomJid = NewRoom(ejabberd);
        var alice = await ConnectAsync(ejabberd, "nickalice");
        var bob = await ConnectAsync(ejabberd, "nickbob");
        await alice.JoinRoomAsync(roomJid, "same");

        var ex = await Assert.ThrowsAsync<MucJoinException>(() => bob.JoinRoomAsync(roomJid, "same"));
        Assert.Equal("conflict", ex.Condition);
        Assert.Empty(bob.Rooms);
    }

    [Fact]
    public async Task Kick_ban_and_destruction_are_events_with_reasons()
    {
        var owner = await ConnectAsync(ejabberd, "modowner");
        var kickedUser = await ConnectAsync(ejabberd, "kickme");
        var bannedUser = await ConnectAsync(ejabberd, "banme");
        var roomJid = NewRoom(ejabberd, "moderated");
        var ownerRoom = await owner.JoinRoomAsync(roomJid, "owner"); // creates the room: owner
        var kickedRoom = await kickedUser.JoinRoomAsync(roomJid, "kickme");
        var bannedRoom = await bannedUser.JoinRoomAsync(roomJid, "banme");
        var kickedEvents = new Probe<MucRoomEvent>();
        var bannedEvents = new Probe<MucRoomEvent>();
        kickedRoom.OnEvent(kickedEvents.Add);
        bannedRoom.OnEvent(bannedEvents.Add);

        var admin = System.Xml.Linq.XNamespace.Get("http://jabber.org/protocol/muc#admin");
        await owner.SendIqAsync(new IqStanza("set", roomJid, new System.Xml.Linq.XElement(admin + "query",
            new System.Xml.Linq.XElement(admin + "item", new System.Xml.Linq.XAttribute("nick", "kickme"), new System.Xml.Linq.XAttribute("role", "none"),
                new System.Xml.Linq.XElement(admin + "reason", "too loud")))));
        var kicked = await kickedEvents.NextMatchingAsync(e => e.Kind == MucRoomEventKind.Kicked);
        Assert.Equal("too loud", kicked.Reason);
        Assert.False(kickedRoom.IsJoined);
        Assert.Empty(kickedUser.Rooms);

        await owner.SendIqAsync(new IqStanza("set", roomJid, new System.Xml.Linq.XElement(admin + "query",
            new System.Xml.Linq.XElement(admin + "item", new System.Xml.Linq.XAttribute("jid", $"banme@{ejabberd.Host}"), new System.Xml.Linq.XAttribute("affiliation", "outcast"),
                new System.Xml.Linq.XElement(admin + "reason", "spam")))));
        var banned = await bannedEvents.NextMatchingAsync(e => e.Kind == MucRoomEventKind.Banned);
        Assert.Equal("spam", banned.Reason);

        var watcher = await ConnectAsync(ejabberd, "watcher");
        var watcherRoom = await watcher.JoinRoomAsync(roomJid, "watcher");
        var watcherEvents = new Probe<MucRoomEvent>();
        watcherRoom.OnEvent(watcherEvents.Add);
        await ejabberd.Admin.DestroyRoomAsync(roomJid.Local!, ejabberd.MucService);
        var destroyed = await watcherEvents.NextMatchingAsync(e => e.Kind == MucRoomEventKind.Destroyed);
        Assert.Equal(MucRoomEventKind.Destroyed, destroyed.Kind);
        Assert.False(watcherRoom.IsJoined);
        _ = ownerRoom;
    }

    [Fact]
    public async Task Self_ping_notices_that_the_room_lost_us_and_rejoins()
    {
        var roomJid = NewRoom(ejabberd, "selfping");
        var agent = await ConnectAsync(ejabberd, "pingagent", configure: o => o with { RoomSelfPingInterval = TimeSpan.FromMilliseconds(300) });
        var alice = await ConnectAsync(ejabberd, "pingalice");
        var agentRoom = await agent.JoinRoomAsync(roomJid, "agent");
        var aliceRoom = await alice.JoinRoomAsync(roomJid, "alice");
        var agentEvents = new Probe<MucRoomEvent>();
        var aliceEvents = new Probe<MucRoomEvent>();
        agentRoom.OnEvent(agentEvents.Add);
        aliceRoom.OnEvent(aliceEvents.Add);
        var atAgent = Collect(agentRoom);

        // The room drops the agent behind the MucRoom's back (as after a server-side MUC restart).
        await agent.SendAsync(new PresenceStanza(agentRoom.OccupantJid, "unavailable"));
        await aliceEvents.NextMatchingAsync(e => e.Kind == MucRoomEventKind.OccupantLeft && e.Nick == "agent");
        await aliceRoom.SendAsync("while you were out");

        await agentEvents.NextMatchingAsync(e => e.Kind == MucRoomEventKind.Rejoined);
        Assert.True(agentRoom.IsJoined);
        Assert.Equal("while you were out", (await atAgent.NextAsync()).Body);
        await aliceRoom.SendAsync("welcome back");
        Assert.Equal("welcome back", (await atAgent.NextAsync()).Body);
    }
}
