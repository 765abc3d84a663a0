using Famiglia.TestKit;
using Famiglia.Web.Chat;
using Famiglia.Web.Demo;
using Famiglia.Xmpp;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Famiglia.Web.Tests.Chat;

/// <summary>famiglia-web stopped while the room goes on: on the next start the archiver fetches what it missed from the
/// room's archive, once.</summary>
public sealed class ArchiverCatchUpTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly TempDirectory _data = TempDirectory.Create("web-catch-up");
    private EjabberdFixture _ejabberd = null!;

    public async Task InitializeAsync() => _ejabberd = await EjabberdFixture.StartNewAsync();

    public async Task DisposeAsync()
    {
        await _ejabberd.DisposeAsync();
        _data.Dispose();
    }

    [Fact]
    public async Task Messages_written_while_famiglia_web_was_down_are_stored_once_when_it_is_back()
    {
        await using var first = new FamigliaWebFactory(_ejabberd, _data.Path);
        first.StartServer();
        Assert.True(await first.Services.GetRequiredService<DemoSeeder>().SeedGroupAsync("feldmans", "The Feldmans", ["alice", "bob", "carol"], 1));
        var general = await first.QueryAsync(db => db.Rooms.Where(r => r.Slug == "general").Select(r => r.Id).SingleAsync());
        var thread = await first.QueryAsync(db => db.Documents.Where(d => d.RoomId == general).Select(d => d.CrdtKey).FirstAsync());
        var archiver = first.Services.GetRequiredService<ChatArchiver>();
        await Eventually.TrueAsync(() => Task.FromResult(archiver.IsInRoom(general)), "the archiver in general", () => first.Log.Tail());

        await using var writer = new XmppClient(await _ejabberd.CreateAccountAsync("s-night-agent"), XunitLoggerFactory.Create(output));
        await writer.ConnectAsync();
        var room = await writer.JoinRoomAsync(new Jid("general.feldmans", _ejabberd.MucService), "@s:night-agent@dev1.localhost");
        var before = "While famiglia-web runs " + Guid.NewGuid();
        await room.SendAsync(before);
        await Eventually.TrueAsync(() => first.QueryAsync(db => db.Messages.AnyAsync(m => m.Body == before)), "the first message stored");
        await first.DisposeAsync(); // stopped; disposing again at the end is a no-op

        var missed = Enumerable.Range(1, 3).Select(i => $"While famiglia-web is down {i} {Guid.NewGuid()}").ToList();
        for (var i = 0; i < missed.Count; i++)
        {
            await room.SendAsync(missed[i], i == 1 ? thread : null);
        }

        await using var second = new FamigliaWebFactory(_ejabberd, _data.Path);
        second.StartServer();
        await Eventually.TrueAsync(
            () => second.QueryAsync(db => db.Messages.CountAsync(m => m.Body.StartsWith("While famiglia-web is down"))).ContinueWith(t => t.Result == missed.Count),
            "the missed messages stored", () => second.Log.Tail());

        var stored = await second.QueryAsync(db => db.Messages.Where(m => m.RoomId == general && m.Body.StartsWith("While famiglia-web")).OrderBy(m => m.CreatedAt).ToListAsync());
        Assert.Equal([before, .. missed], stored.Select(m => m.Body));
        Assert.All(stored, m => Assert.Equal("@s:night-agent@dev1.localhost", m.AuthorNick));
        Assert.Equal(thread, stored.Single(m => m.Body == missed[1]).Thread);
        Assert.Equal(stored.Count, stored.Select(m => m.StanzaId).Distinct().Count());
    }
}
