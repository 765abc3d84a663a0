using Famiglia.TestKit;
using Xunit.Abstractions;

namespace Famiglia.Xmpp.Tests;

public class ReconnectTests(ITestOutputHelper output) : XmppTestBase(output)
{
    [Fact]
    public async Task A_cut_connection_resumes_the_stream_and_loses_or_duplicates_nothing()
    {
        await using var ejabberd = await EjabberdFixture.StartNewAsync();
        await using var proxy = new TcpProxy("127.0.0.1", ejabberd.C2SPort);
        var roomJid = NewRoom(ejabberd);
        var alice = await ConnectAsync(ejabberd, "alice", configure: o => o with { Service = new Uri($"xmpp://127.0.0.1:{proxy.Port}") });
        var bob = await ConnectAsync(ejabberd, "bob", configure: o => o with { DeliverOwnMessages = true });
        var aliceStates = new Probe<XmppStateChange>();
        alice.StateChanged += (_, change) => aliceStates.Add(change);
        var aliceRoom = await alice.JoinRoomAsync(roomJid, "alice");
        var bobRoom = await bob.JoinRoomAsync(roomJid, "bob");
        var atAlice = Collect(aliceRoom);
        var atBob = Collect(bobRoom);

        for (var i = 0; i < 5; i++)
        {
            await aliceRoom.SendAsync($"a{i}");
        }

        // The path dies with alice's last messages possibly in flight, and stays dead for a while.
        proxy.Accepting = false;
        proxy.CutAll();
        await aliceStates.NextMatchingAsync(s => s.To == XmppConnectionState.Reconnecting);
        for (var i = 5; i < 10; i++)
        {
            await aliceRoom.SendAsync($"a{i}"); // queued while offline
        }

        for (var i = 0; i < 5; i++)
        {
            await bobRoom.SendAsync($"b{i}");
        }

        // Bob's own echo of b4 means the room has broadcast all of his messages while alice was away.
        var bobSaw = new List<RoomMessage>();
        while (bobSaw.LastOrDefault()?.Body != "b4")
        {
            bobSaw.Add(await atBob.NextAsync());
        }

        proxy.Accepting = true;
        await aliceStates.NextMatchingAsync(s => s.To == XmppConnectionState.Connected);

        bobSaw.AddRange(await atBob.NextAsync(15 - bobSaw.Count));
        Assert.Equal(Enumerable.Range(0, 10).Select(i => $"a{i}"), bobSaw.Where(m => m.Nick == "alice").Select(m => m.Body));
        Assert.Equal(Enumerable.Range(0, 5).Select(i => $"b{i}"), bobSaw.Where(m => m.Nick == "bob").Select(m => m.Body));

        var aliceSaw = await atAlice.NextAsync(5);
        Assert.Equal(Enumerable.Range(0, 5).Select(i => $"b{i}"), aliceSaw.Select(m => m.Body));
        Assert.Equal(1, alice.ResumeCount);

        // Nothing more arrives: no duplicates on either side.
        await bobRoom.SendAsync("end");
        Assert.Equal("end", (await atAlice.NextAsync()).Body);
        Assert.Equal("end", (await atBob.NextAsync()).Body);
        Assert.False(atAlice.TryTake(out _));
    }

    [Fact]
    public async Task After_an_ejabberd_restart_the_client_rejoins_and_gets_what_was_sent_meanwhile_once_in_order()
    {
        await using var ejabberd = await EjabberdFixture.StartNewAsync();
        await using var proxy = new TcpProxy("127.0.0.1", ejabberd.C2SPort);
        var roomJid = NewRoom(ejabberd, "photos");
        await ejabberd.Admin.CreateRoomAsync(roomJid.Local!, ejabberd.MucService, ejabberd.Host,
            new Dictionary<string, string> { ["persistent"] = "true", ["mam"] = "true" });
        var agent = await ConnectAsync(ejabberd, "s-photo-agent", configure: o => o with { Service = new Uri($"xmpp://127.0.0.1:{proxy.Port}") });
        var alice = await ConnectAsync(ejabberd, "alice", configure: o => o with { DeliverOwnMessages = true });
        var agentStates = new Probe<XmppStateChange>();
        var aliceStates = new Probe<XmppStateChange>();
        agent.StateChanged += (_, change) => agentStates.Add(change);
        alice.StateChanged += (_, change) => aliceStates.Add(change);
        var agentRoom = await agent.JoinRoomAsync(roomJid, "@s:photo-agent@dev1.localhost");
        var aliceRoom = await alice.JoinRoomAsync(roomJid, "@u:alice@dev1.localhost");
        var atAgent = Collect(agentRoom);
        var atAlice = Collect(aliceRoom);
        var agentEvents = new Probe<MucRoomEvent>();
        agentRoom.OnEvent(agentEvents.Add);

        await aliceRoom.SendAsync("before restart");
        Assert.Equal("before restart", (await atAgent.NextAsync()).Body);
        await atAlice.NextAsync();

        // The agent cannot get back until we let it, so alice's messages are sent while it is away.
        proxy.Accepting = false;
        await ejabberd.RestartAsync();
        await agentStates.NextMatchingAsync(s => s.To == XmppConnectionState.Reconnecting);
        await aliceStates.NextMatchingAsync(s => s.To == XmppConnectionState.Connected);
        for (var i = 0; i < 5; i++)
        {
            await aliceRoom.SendAsync($"while away {i}", thread: i % 2 == 0 ? "doc-key" : null);
        }

        var echoes = await atAlice.NextAsync(5); // the room has them all
        Assert.All(echoes, e => Assert.True(e.IsOwn));

        proxy.Accepting = true;
        await agentStates.NextMatchingAsync(s => s.To == XmppConnectionState.Connected);

        var caughtUp = await atAgent.NextAsync(5);
        Assert.Equal(Enumerable.Range(0, 5).Select(i => $"while away {i}"), caughtUp.Select(m => m.Body));
        Assert.Equal(["doc-key", null, "doc-key", null, "doc-key"], caughtUp.Select(m => m.Thread));
        Assert.All(caughtUp, m => Assert.True(m.FromArchive));
        Assert.Equal(0, agent.ResumeCount);
        Assert.True(agentRoom.IsJoined);
        await agentEvents.NextMatchingAsync(e => e.Kind == MucRoomEventKind.Rejoined);

        // Live again, and nothing is delivered twice.
        await aliceRoom.SendAsync("live after");
        Assert.Equal("live after", (await atAgent.NextAsync()).Body);
        Assert.False(atAgent.TryTake(out _));
    }
}
