using Famiglia.TestKit;
using Famiglia.Web.Chat;
using Famiglia.Web.Demo;
using Famiglia.Xmpp;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Famiglia.Web.Tests.Chat;

/// <summary>A real ejabberd and a famiglia-web that provisions it, for one test class: group feldmans (alice, bob, carol;
/// rooms photos and general public, family participants-only for alice and bob), the archiver in every room.</summary>
public sealed class ChatSpace : IAsyncLifetime
{
    public EjabberdFixture Ejabberd { get; private set; } = null!;

    public FamigliaWebFactory Web { get; private set; } = null!;

    public string AliceId { get; private set; } = "";

    public string PhotosId { get; private set; } = "";

    public string FamilyId { get; private set; } = "";

    public string GeneralId { get; private set; } = "";

    /// <summary>The CRDT key of photos' "Album notes" document: a thread with seeded chat.</summary>
    public string AlbumThread { get; private set; } = "";

    public Jid RoomJid(string slug) => new($"{slug}.feldmans", Ejabberd.MucService);

    public async Task InitializeAsync()
    {
        Ejabberd = await EjabberdFixture.StartNewAsync();
        Web = new FamigliaWebFactory(Ejabberd);
        Web.StartServer();
        Assert.True(await Web.Services.GetRequiredService<DemoSeeder>().SeedGroupAsync("feldmans", "The Feldmans", ["alice", "bob", "carol"], 2));
        AliceId = await Web.QueryAsync(db => db.Users.Where(u => u.Handle == "@u:alice@dev1.localhost").Select(u => u.Id).SingleAsync());
        PhotosId = await RoomIdAsync("photos");
        FamilyId = await RoomIdAsync("family");
        GeneralId = await RoomIdAsync("general");
        AlbumThread = await Web.QueryAsync(db => db.Documents.Where(d => d.RoomId == PhotosId && d.Title == "Album notes").Select(d => d.CrdtKey).SingleAsync());

        // The seeding asked the worker to provision the new rooms and let the archiver in.
        var archiver = Web.Services.GetRequiredService<ChatArchiver>();
        await Eventually.TrueAsync(() => Task.FromResult(new[] { PhotosId, FamilyId, GeneralId }.All(archiver.IsInRoom)), "the archiver in every room", Diagnostics);
    }

    public async Task DisposeAsync()
    {
        if (Web is not null)
        {
            await Web.DisposeAsync();
        }

        if (Ejabberd is not null)
        {
            await Ejabberd.DisposeAsync();
        }
    }

    /// <summary>famiglia-web's and ejabberd's latest log lines.</summary>
    public string Diagnostics() => $"--- famiglia-web ---\n{Web.Log.Tail()}\n--- ejabberd ---\n{Ejabberd.LogTail(20)}";

    private Task<string> RoomIdAsync(string slug) =>
        Web.QueryAsync(db => db.Rooms.Where(r => r.Slug == slug && r.Group!.Slug == "feldmans").Select(r => r.Id).SingleAsync());
}
