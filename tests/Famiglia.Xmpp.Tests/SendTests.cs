using Famiglia.TestKit;
using Xunit.Abstractions;

namespace Famiglia.Xmpp.Tests;

/// <summary>The write path: one writer at a time, whoever finds none writing writes (see XmppSession.Write.cs).</summary>
public class SendTests(EjabberdFixture ejabberd, ITestOutputHelper output) : XmppTestBase(output), IClassFixture<EjabberdFixture>
{
    [Theory]
    [InlineData(false, true)]
    [InlineData(false, false)] // TCP reads continuing on the thread pool rather than the socket event thread
    [InlineData(true, true)]
    public async Task Concurrent_senders_all_complete_and_each_one_arrives_whole_and_in_order(bool webSocket, bool inlineReads)
    {
        const int Senders = 8;
        const int PerSender = 150;
        var name = (webSocket ? "ws" : "tcp") + (inlineReads ? "" : "pool");
        var roomJid = NewRoom(ejabberd);
        // An acknowledgement limit well under the total, so sends take the fast path, queue behind a write in
        // progress, and wait in the client's queue for acknowledgements, all at once.
        var alice = await ConnectAsync(ejabberd, $"concalice{name}", webSocket, o => o with { MaxUnackedStanzas = 100, PreferInlineSocketCompletions = inlineReads });
        var bob = await ConnectAsync(ejabberd, $"concbob{name}", webSocket, o => o with { PreferInlineSocketCompletions = inlineReads });
        var aliceRoom = await alice.JoinRoomAsync(roomJid, "alice");
        var bobRoom = await bob.JoinRoomAsync(roomJid, "bob");
        var atBob = Collect(bobRoom);

        var senders = Enumerable.Range(0, Senders).Select(s => Task.Run(async () =>
        {
            for (var i = 0; i < PerSender; i++)
            {
                await aliceRoom.SendAsync($"s{s}-{i}");
            }
        }));
        await Task.WhenAll(senders);

        var bodies = (await atBob.NextAsync(Senders * PerSender)).Select(m => m.Body).ToList();
        Assert.Equal(Senders * PerSender, bodies.Distinct().Count());
        for (var s = 0; s < Senders; s++)
        {
            Assert.Equal(Enumerable.Range(0, PerSender).Select(i => $"s{s}-{i}"), bodies.Where(b => b.StartsWith($"s{s}-", StringComparison.Ordinal)));
        }
    }

    [Fact]
    public async Task A_connection_cut_in_the_middle_of_a_burst_loses_and_duplicates_nothing()
    {
        const int Count = 2000;
        await using var proxy = new TcpProxy("127.0.0.1", ejabberd.C2SPort);
        var roomJid = NewRoom(ejabberd);
        var alice = await ConnectAsync(ejabberd, "cutburstalice", configure: o => o with
        {
            Service = new Uri($"xmpp://127.0.0.1:{proxy.Port}"),
            MaxUnackedStanzas = 200,
        });
        var bob = await ConnectAsync(ejabberd, "cutburstbob");
        var aliceStates = new Probe<XmppStateChange>();
        alice.StateChanged += (_, change) => aliceStates.Add(change);
        var aliceRoom = await alice.JoinRoomAsync(roomJid, "alice");
        var bobRoom = await bob.JoinRoomAsync(roomJid, "bob");
        var atBob = Collect(bobRoom);

        for (var i = 0; i < Count; i++)
        {
            await aliceRoom.SendAsync($"m{i}"); // queued: at most 200 go out before the server acknowledges them
        }

        // Cut while the burst is under way: stanzas are written but unacknowledged, queued for the writer, and
        // waiting for acknowledgements; writes on the dead connection fail.
        proxy.CutAll();
        var failure = await aliceStates.NextMatchingAsync(s => s.To == XmppConnectionState.Reconnecting);
        Assert.NotNull(failure.Error);

        var received = await atBob.NextAsync(Count);
        Assert.Equal(Enumerable.Range(0, Count).Select(i => $"m{i}"), received.Select(m => m.Body));
        await aliceStates.NextMatchingAsync(s => s.To == XmppConnectionState.Connected);
        Assert.True(alice.ConnectionCount >= 2);

        // Nothing more arrives before the next message: no duplicates.
        await aliceRoom.SendAsync("end");
        Assert.Equal("end", (await atBob.NextAsync()).Body);
    }
}
