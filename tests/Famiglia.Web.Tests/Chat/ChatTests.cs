using Famiglia.TestKit;
using Famiglia.Web.Chat;
using Famiglia.Web.Infrastructure;
using Famiglia.Web.Spaces;
using Famiglia.Web.Tests.Auth;
using Famiglia.Xmpp;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace Famiglia.Web.Tests.Chat;

/// <summary>
/// Chat end to end: browsers signed in through the form on real SignalR connections, famiglia-web's XMPP worker, a real
/// ejabberd, and plain XMPP clients in the rooms as observers and agents.
/// </summary>
public sealed class ChatTests(ChatSpace space, ITestOutputHelper output) : IClassFixture<ChatSpace>, IAsyncLifetime
{
    private readonly ILoggerFactory _logs = XunitLoggerFactory.Create(output);
    private readonly List<IAsyncDisposable> _disposables = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var disposable in Enumerable.Reverse(_disposables))
        {
            await disposable.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_message_alice_sends_through_the_hub_is_in_the_muc_under_her_nick_reaches_alice_and_bob_once_and_is_stored_once()
    {
        var (_, observer) = await EnterAsync("observer-a", "@s:observer-a@dev1.localhost", "photos");
        var alice = await HubAsync("alice");
        var bob = await HubAsync("bob");
        var history = await alice.Connection.InvokeAsync<List<ChatMessage>>("JoinRoom", space.PhotosId);
        Assert.Contains(history, m => m.Body == "Uploaded the beach photos" && m.AuthorName == "Alice" && m.AuthorNick == "@u:alice@dev1.localhost");
        Assert.All(history, m => Assert.Null(m.Thread));
        await bob.Connection.InvokeAsync<List<ChatMessage>>("JoinRoom", space.PhotosId);

        var body = "Hello from the hub " + Guid.NewGuid();
        await alice.Connection.InvokeAsync("Send", space.PhotosId, body, null);

        var inMuc = await observer.NextMatchingAsync(m => m.Body == body);
        Assert.Equal("@u:alice@dev1.localhost", inMuc.Nick);
        var toAlice = await alice.Messages.NextMatchingAsync(m => m.Body == body);
        var toBob = await bob.Messages.NextMatchingAsync(m => m.Body == body);
        Assert.Equal(toAlice, toBob);
        Assert.Equal(("@u:alice@dev1.localhost", "Alice", space.PhotosId, (string?)null), (toAlice.AuthorNick, toAlice.AuthorName, toAlice.RoomId, toAlice.Thread));

        // Messages of a room arrive in order: once a later one is in, a duplicate of the first would have been too.
        await FenceAsync(alice, space.PhotosId, alice, bob);
        Assert.Single(alice.ReceivedWithBody(body));
        Assert.Single(bob.ReceivedWithBody(body));
        var stored = Assert.Single(await space.Web.QueryAsync(db => db.Messages.Where(m => m.Body == body).ToListAsync()));
        Assert.Equal((toAlice.Id, space.AliceId, "@u:alice@dev1.localhost"), (stored.Id, stored.AuthorId, stored.AuthorNick));
        Assert.False(string.IsNullOrEmpty(stored.StanzaId));
    }

    [Fact]
    public async Task An_agents_message_in_a_thread_is_stored_with_the_thread_and_pushed()
    {
        var (agent, _) = await EnterAsync("s-thread-agent", "@s:thread-agent@dev1.localhost", "photos");
        var alice = await HubAsync("alice");
        var history = await alice.Connection.InvokeAsync<List<ChatMessage>>("JoinThread", space.PhotosId, space.AlbumThread);
        Assert.Contains(history, m => m.Body == "Album order: beach, hike, snow");
        Assert.All(history, m => Assert.Equal(space.AlbumThread, m.Thread));

        var body = "Found 234 photos! Building gallery... " + Guid.NewGuid();
        await agent.SendAsync(body, space.AlbumThread);

        var pushed = await alice.Messages.NextMatchingAsync(m => m.Body == body);
        Assert.Equal((space.AlbumThread, "@s:thread-agent@dev1.localhost", "thread-agent"), (pushed.Thread, pushed.AuthorNick, pushed.AuthorName));
        var stored = Assert.Single(await space.Web.QueryAsync(db => db.Messages.Where(m => m.Body == body).ToListAsync()));
        Assert.Equal((space.AlbumThread, (string?)null, "@s:thread-agent@dev1.localhost"), (stored.Thread, stored.AuthorId, stored.AuthorNick));

        var thread = await alice.Connection.InvokeAsync<List<ChatMessage>>("JoinThread", space.PhotosId, space.AlbumThread);
        Assert.Equal(body, thread[^1].Body);
        var main = await alice.Connection.InvokeAsync<List<ChatMessage>>("JoinRoom", space.PhotosId);
        Assert.DoesNotContain(main, m => m.Body == body);
    }

    [Fact]
    public async Task Carol_cannot_join_the_participants_only_room_nor_send_to_it_and_gets_none_of_its_messages()
    {
        var carol = await HubAsync("carol");
        var join = await Assert.ThrowsAsync<HubException>(() => carol.Connection.InvokeAsync<List<ChatMessage>>("JoinRoom", space.FamilyId));
        Assert.Contains("cannot see this room", join.Message, StringComparison.Ordinal);
        var send = await Assert.ThrowsAsync<HubException>(() => carol.Connection.InvokeAsync("Send", space.FamilyId, "let me in", null));
        Assert.Contains("cannot see this room", send.Message, StringComparison.Ordinal);
        await carol.Connection.InvokeAsync<List<ChatMessage>>("JoinRoom", space.GeneralId);

        var alice = await HubAsync("alice");
        var history = await alice.Connection.InvokeAsync<List<ChatMessage>>("JoinRoom", space.FamilyId);
        Assert.Contains(history, m => m.Body == "Surprise party for Carol?");
        await alice.Connection.InvokeAsync<List<ChatMessage>>("JoinRoom", space.GeneralId);
        var secret = "Carol must not see this " + Guid.NewGuid();
        await alice.Connection.InvokeAsync("Send", space.FamilyId, secret, null);
        await alice.Messages.NextMatchingAsync(m => m.Body == secret);

        await FenceAsync(alice, space.GeneralId, alice, carol);
        Assert.Empty(carol.ReceivedWithBody(secret));
        Assert.DoesNotContain(carol.Received, m => m.RoomId == space.FamilyId);

        // ejabberd keeps her out too: the room is members-only and she is not a member.
        // Her XMPP password is sealed at rest; opened, it is the one ejabberd knows.
        var stored = await space.Web.QueryAsync(db => db.Users.Where(u => u.Handle == "@u:carol@dev1.localhost").Select(u => u.XmppPassword).SingleAsync());
        Assert.StartsWith(SecretBox.Prefix, stored, StringComparison.Ordinal);
        var password = space.Web.Services.GetRequiredService<SecretBox>().Open(stored!);
        await using var client = new XmppClient(space.Ejabberd.ClientOptions("carol", password), _logs);
        await client.ConnectAsync();
        var refused = await Assert.ThrowsAsync<MucJoinException>(() => client.JoinRoomAsync(space.RoomJid("family"), "@u:carol@dev1.localhost"));
        Assert.Equal("registration-required", refused.Condition);
    }

    [Fact]
    public async Task No_one_else_can_enter_a_room_with_a_users_nick()
    {
        await using var mallory = new XmppClient(await space.Ejabberd.CreateAccountAsync("mallory"), _logs);
        await mallory.ConnectAsync();
        var refused = await Assert.ThrowsAsync<MucJoinException>(() => mallory.JoinRoomAsync(space.RoomJid("photos"), "@u:alice@dev1.localhost"));
        Assert.Equal("conflict", refused.Condition);
        var service = await Assert.ThrowsAsync<MucJoinException>(() => mallory.JoinRoomAsync(space.RoomJid("general"), "@s:famiglia@dev1.localhost"));
        Assert.Equal("conflict", service.Condition);
    }

    [Fact]
    public async Task Provisioning_a_room_again_applies_a_change_to_participants_only()
    {
        var (roomId, carolId) = await space.Web.QueryAsync(async db =>
        {
            var group = await db.Groups.SingleAsync(g => g.Slug == "feldmans");
            var room = db.Rooms.Add(new Room { GroupId = group.Id, Slug = "plans", Name = "Plans", Visibility = RoomVisibility.PUBLIC }).Entity;
            await db.SaveChangesAsync();
            return (room.Id, await db.Users.Where(u => u.Handle == "@u:carol@dev1.localhost").Select(u => u.Id).SingleAsync());
        });
        var provisioner = space.Web.Services.GetRequiredService<ChatProvisioner>();
        var carol = await provisioner.EnsureUserAsync(carolId);
        await provisioner.EnsureRoomAsync(roomId);
        await using (var before = new XmppClient(space.Ejabberd.ClientOptions(carol.User, carol.Password), _logs))
        {
            await before.ConnectAsync();
            await before.JoinRoomAsync(space.RoomJid("plans"), "@u:carol@dev1.localhost");
        }

        await space.Web.QueryAsync(async db =>
        {
            var room = await db.Rooms.SingleAsync(r => r.Id == roomId);
            room.Visibility = RoomVisibility.PARTICIPANTS_ONLY;
            db.RoomParticipants.Add(new RoomParticipant { RoomId = roomId, UserId = space.AliceId });
            return await db.SaveChangesAsync();
        });
        await provisioner.EnsureRoomAsync(roomId);

        await using var after = new XmppClient(space.Ejabberd.ClientOptions(carol.User, carol.Password), _logs);
        await after.ConnectAsync();
        var refused = await Assert.ThrowsAsync<MucJoinException>(() => after.JoinRoomAsync(space.RoomJid("plans"), "@u:carol@dev1.localhost"));
        Assert.Equal("registration-required", refused.Condition);
    }

    [Fact]
    public async Task Send_names_the_invalid_argument()
    {
        var alice = await HubAsync("alice");
        var empty = await Assert.ThrowsAsync<HubException>(() => alice.Connection.InvokeAsync("Send", space.PhotosId, "  ", null));
        Assert.Contains("body", empty.Message, StringComparison.Ordinal);
        var tooLong = await Assert.ThrowsAsync<HubException>(() => alice.Connection.InvokeAsync("Send", space.PhotosId, new string('x', ChatService.MaxBodyLength + 1), null));
        Assert.Contains("body", tooLong.Message, StringComparison.Ordinal);
        var thread = await Assert.ThrowsAsync<HubException>(() => alice.Connection.InvokeAsync("Send", space.PhotosId, "hi", "doc_not_of_this_room"));
        Assert.Contains("thread", thread.Message, StringComparison.Ordinal);

        var chat = space.Web.Services.GetRequiredService<ChatService>();
        var direct = await Assert.ThrowsAsync<ChatException>(() => chat.SendAsync(space.AliceId, space.PhotosId, ""));
        Assert.Equal((ChatError.Validation, "body"), (direct.Error, direct.Field));
    }

    [Fact]
    public async Task A_users_connection_closes_after_ten_idle_minutes_and_opens_again_on_the_next_message()
    {
        var alice = await HubAsync("alice");
        await alice.Connection.InvokeAsync<List<ChatMessage>>("JoinRoom", space.GeneralId);
        var connections = space.Web.Services.GetRequiredService<UserConnections>();
        var first = "Before the pause " + Guid.NewGuid();
        await alice.Connection.InvokeAsync("Send", space.GeneralId, first, null);
        await alice.Messages.NextMatchingAsync(m => m.Body == first);
        Assert.True(connections.IsConnected(space.AliceId));

        space.Web.Clock.Advance(TimeSpan.FromMinutes(9));
        await connections.SweepAsync();
        Assert.True(connections.IsConnected(space.AliceId));
        space.Web.Clock.Advance(TimeSpan.FromMinutes(2));
        await connections.SweepAsync();
        Assert.False(connections.IsConnected(space.AliceId));

        var second = "After the pause " + Guid.NewGuid();
        await alice.Connection.InvokeAsync("Send", space.GeneralId, second, null);
        await alice.Messages.NextMatchingAsync(m => m.Body == second);
        Assert.True(connections.IsConnected(space.AliceId));
    }

    [Fact]
    public async Task A_message_sent_while_ejabberd_restarts_is_stored_and_pushed_exactly_once()
    {
        var (writer, _) = await EnterAsync("s-restart-writer", "@s:restart-writer@dev1.localhost", "general");
        var alice = await HubAsync("alice");
        await alice.Connection.InvokeAsync<List<ChatMessage>>("JoinRoom", space.GeneralId);
        var before = "Before the restart " + Guid.NewGuid();
        await writer.SendAsync(before);
        await alice.Messages.NextMatchingAsync(m => m.Body == before);

        await space.Ejabberd.RestartAsync();

        // A fresh client is in the room within milliseconds, most likely before famiglia-web's archiver is back (its
        // reconnect backs off), so the archiver gets this one from the room's archive; either way it must be there once.
        var (quick, _) = await EnterAsync("s-quick-writer", "@s:quick-writer@dev1.localhost", "general");
        var during = "While famiglia-web reconnects " + Guid.NewGuid();
        await quick.SendAsync(during);

        await Eventually.TrueAsync(async () => await space.Web.QueryAsync(db => db.Messages.AnyAsync(m => m.Body == during)), "the message stored");
        var after = "After the restart " + Guid.NewGuid();
        await writer.SendAsync(after);
        await Eventually.TrueAsync(() => Task.FromResult(alice.ReceivedWithBody(after).Count > 0), "the last message pushed");

        foreach (var body in new[] { before, during, after })
        {
            Assert.Equal(1, await space.Web.QueryAsync(db => db.Messages.CountAsync(m => m.Body == body)));
            Assert.Single(alice.ReceivedWithBody(body));
        }

        var archiver = space.Web.Services.GetRequiredService<ChatArchiver>();
        Assert.True(archiver.IsInRoom(space.GeneralId));
        output.WriteLine(space.Diagnostics());
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void The_service_accounts_password_file_is_readable_by_its_owner_only()
    {
        var path = Path.Combine(space.Web.DataDirectory, ServiceAccount.FileName);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.True(new FileInfo(path).Length >= 24);
    }

    /// <summary>Sends a message through <paramref name="sender"/> and waits until every hub in <paramref name="hubs"/> has it.</summary>
    private static async Task FenceAsync(HubClient sender, string roomId, params HubClient[] hubs)
    {
        var fence = "fence " + Guid.NewGuid();
        await sender.Connection.InvokeAsync("Send", roomId, fence, null);
        foreach (var hub in hubs)
        {
            await hub.Messages.NextMatchingAsync(m => m.Body == fence);
        }
    }

    [Fact]
    public async Task Joining_a_room_tells_the_page_each_agents_status_as_it_is_now()
    {
        // What changed between the page's render and its joining (a Start's RUNNING) would otherwise never reach it.
        await space.Web.IssueKeyAsync("feldmans", "status-agent", "photos");
        var agent = await space.Web.QueryAsync(db => db.AgentConfigs.Where(a => a.Name == "status-agent").Select(a => new { a.Id, a.Status }).SingleAsync());
        Assert.Equal(space.PhotosId, await space.Web.QueryAsync(db => db.AgentConfigs.Where(a => a.Name == "status-agent").Select(a => a.Document!.RoomId).SingleAsync()));
        var alice = await HubAsync("alice");

        await alice.Connection.InvokeAsync<List<ChatMessage>>("JoinRoom", space.PhotosId);

        var told = await alice.Statuses.NextMatchingAsync(s => s.AgentId == agent.Id);
        Assert.Equal(agent.Status.ToString(), told.Status);
    }

    private async Task<HubClient> HubAsync(string user)
    {
        var browser = await BrowserSession.SignedInAsync(space.Web, user);
        _disposables.Add(browser);
        return await browser.ConnectHubAsync();
    }

    /// <summary>A plain XMPP client (an observer or an agent) in a room, and what it receives there.</summary>
    private async Task<(MucRoom Room, Probe<RoomMessage> Messages)> EnterAsync(string user, string nick, string room)
    {
        var client = new XmppClient(await space.Ejabberd.CreateAccountAsync(user), _logs);
        _disposables.Add(client);
        await client.ConnectAsync();
        var muc = await client.JoinRoomAsync(space.RoomJid(room), nick);
        var probe = new Probe<RoomMessage>();
        muc.OnMessage(probe.Add);
        return (muc, probe);
    }
}
