using System.Text.Json;
using Famiglia.Web.Chat;
using Famiglia.Web.Infrastructure;
using Famiglia.Web.Spaces;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Famiglia.Web.Demo;

/// <summary>The demo Space (<c>famiglia-web seed-demo</c>): group feldmans, its rooms, people, photos, chat, documents, files and an app.</summary>
internal sealed partial class DemoSeeder(
    IDbContextFactory<FamigliaDbContext> db,
    MediaStore media,
    IOptions<FamigliaOptions> options,
    TimeProvider time,
    IPasswordHasher<User> passwords,
    ChatProvisioner chat,
    ILogger<DemoSeeder> logger)
{
    public const string DemoGroup = "feldmans";
    public const int DemoPhotos = 234;

    private static readonly string[] Captions =
    [
        "Beach day", "Grandma's birthday", "First snow", "Sunday hike", "Lasagne night", "School play",
        "The new bike", "Lake at dusk", "Garden tomatoes", "Museum trip", "Rainy afternoon", "Camping",
    ];

    /// <summary>Seeds the demo group unless the database already holds a group. Returns whether it seeded.</summary>
    public async Task<bool> SeedDemoAsync(CancellationToken cancellationToken = default)
    {
        await using (var context = await db.CreateDbContextAsync(cancellationToken))
        {
            if (await context.Groups.AnyAsync(cancellationToken))
            {
                AlreadySeeded(logger);
                return false;
            }
        }

        return await SeedGroupAsync(DemoGroup, "The Feldmans", ["alice", "bob", "carol"], DemoPhotos, cancellationToken);
    }

    /// <summary>
    /// One group with rooms photos (public), family (participants only: the first two users) and general,
    /// <paramref name="photos"/> image posts with distinct PNGs, a few text and link posts, chat in every room,
    /// documents, searchable files and a shopping-list app. Does nothing if the group exists.
    /// </summary>
    public async Task<bool> SeedGroupAsync(string slug, string name, IReadOnlyList<string> userNames, int photos, CancellationToken cancellationToken = default)
    {
        await using var context = await db.CreateDbContextAsync(cancellationToken);
        if (await context.Groups.AnyAsync(g => g.Slug == slug, cancellationToken))
        {
            return false;
        }

        var now = time.GetUtcNow().UtcDateTime;
        var start = now.AddDays(-photos / 4.0 - 1);
        var group = new Group { Slug = slug, Name = name, CreatedAt = start };
        context.Groups.Add(group);

        var users = new List<User>();
        foreach (var (userName, index) in userNames.Select((n, i) => (n, i)))
        {
            var handle = $"@u:{userName}@{options.Value.XmppDomain}";
            var user = await context.Users.SingleOrDefaultAsync(u => u.Handle == handle, cancellationToken)
                ?? context.Users.Add(NewUser(handle, char.ToUpperInvariant(userName[0]) + userName[1..], start)).Entity;
            users.Add(user);
            context.Members.Add(new Member { GroupId = group.Id, UserId = user.Id, Role = index == 0 ? MemberRole.OWNER : MemberRole.MEMBER, JoinedAt = start });
        }

        var photosRoom = AddRoom(context, group, "photos", "Photos", RoomVisibility.PUBLIC, users, start);
        var family = AddRoom(context, group, "family", "Family", RoomVisibility.PARTICIPANTS_ONLY, users.Take(2).ToList(), start);
        var general = AddRoom(context, group, "general", "General", RoomVisibility.PUBLIC, users, start);

        for (var i = 0; i < photos; i++)
        {
            var from = PngImage.Hue(i * 137.508);
            var to = PngImage.Hue(i * 137.508 + 60, 0.45);
            var bytes = PngImage.Gradient(48, 36, from, to);
            var (key, sha) = await media.SaveAsync(bytes, cancellationToken);
            var at = start.AddHours(6 * i);
            var image = new Media { GroupId = group.Id, Mime = "image/png", Size = bytes.Length, Sha256 = sha, StorageKey = key, Width = 48, Height = 36, CreatedAt = at };
            context.Media.Add(image);
            context.Posts.Add(new Post
            {
                GroupId = group.Id,
                AuthorId = users[i % users.Count].Id,
                Type = PostType.Image,
                Text = $"{Captions[i % Captions.Length]} #{i + 1}",
                MediaId = image.Id,
                CreatedAt = at,
            });
        }

        context.Posts.Add(new Post { GroupId = group.Id, AuthorId = users[0].Id, Type = PostType.Text, Text = "Who is bringing dessert on Sunday?", CreatedAt = now.AddHours(-5) });
        context.Posts.Add(new Post { GroupId = group.Id, AuthorId = users[^1].Id, Type = PostType.Text, Text = "Made it home safe!", CreatedAt = now.AddHours(-4) });
        context.Posts.Add(new Post { GroupId = group.Id, AuthorId = users[0].Id, Type = PostType.Link, Text = "Campsite for August", LinkUrl = "https://example.org/campsite", CreatedAt = now.AddHours(-3) });

        var album = AddDocument(context, photosRoom, DocumentType.EDITOR, "Album notes", now.AddDays(-3));
        AddDocument(context, family, DocumentType.EDITOR, "Birthday plans", now.AddDays(-2));
        var listDocument = AddDocument(context, general, DocumentType.APP, "Shopping list", now.AddDays(-1));

        AddChat(context, photosRoom, users, null, ["Uploaded the beach photos", "Love the sunset one", "Can we make an album?", "On it"], now.AddDays(-3));
        AddChat(context, photosRoom, users, album.CrdtKey, ["Album order: beach, hike, snow", "Add the lake too"], now.AddDays(-2));
        AddChat(context, family, users.Take(2).ToList(), null, ["Surprise party for Carol?", "Yes! Saturday at 6", "I'll get the cake"], now.AddDays(-2));
        AddChat(context, general, users, null, ["Morning all", "Who took the car keys?", "Found them", "Dinner at 7", "Bringing salad"], now.AddDays(-1));

        AddFile(context, group, general, users[0], "lasagne-recipe.md", "text/markdown",
            "Grandma's lasagne. Layer pasta sheets, ragu and bechamel; bake at 180 degrees for 45 minutes. Parmesan on top.", now.AddDays(-10));
        AddFile(context, group, photosRoom, users[1 % users.Count], "camping-itinerary.txt", "text/plain",
            "Day one: drive to the lake, set up tents. Day two: hike to the waterfall. Day three: pack up and drive home.", now.AddDays(-8));
        AddFile(context, group, family, users[0], "school-calendar.txt", "text/plain",
            "Term starts 2 September. Half term 27 October. School play rehearsal every Thursday.", now.AddDays(-6));
        AddFile(context, group, general, users[^1], "insurance-notes.txt", "text/plain",
            "Home insurance renews in March. Call the broker about the bike cover.", now.AddDays(-4));

        var app = new App
        {
            GroupId = group.Id,
            DocumentId = listDocument.Id,
            Name = "Shopping list",
            SchemaJson = """{"type":"object","properties":{"item":{"type":"string"},"quantity":{"type":"integer"},"done":{"type":"boolean"}},"required":["item"]}""",
            CreatedAt = listDocument.CreatedAt,
        };
        context.Apps.Add(app);
        foreach (var (item, index) in new[] { "milk", "eggs", "tomatoes", "parmesan", "candles" }.Select((x, i) => (x, i)))
        {
            var at = listDocument.CreatedAt.AddMinutes(index);
            context.AppRecords.Add(new AppRecord
            {
                AppId = app.Id,
                DataJson = JsonSerializer.Serialize(new { item, quantity = index + 1, done = index < 2 }),
                CreatedAt = at,
                UpdatedAt = at,
            });
        }

        await context.SaveChangesAsync(cancellationToken);
        Seeded(logger, slug, photos);
        chat.RequestSync(); // XMPP accounts and rooms for the new users and rooms, when the server runs
        return true;
    }

    /// <summary>A demo user, who signs in with <see cref="FamigliaOptions.DemoPassword"/>.</summary>
    private User NewUser(string handle, string displayName, DateTime at)
    {
        var user = new User { Handle = handle, DisplayName = displayName, CreatedAt = at };
        user.PasswordHash = passwords.HashPassword(user, options.Value.DemoPassword);
        return user;
    }

    private static Room AddRoom(FamigliaDbContext context, Group group, string slug, string name, RoomVisibility visibility, IReadOnlyList<User> participants, DateTime at)
    {
        var room = new Room { GroupId = group.Id, Slug = slug, Name = name, Visibility = visibility, CreatedAt = at };
        room.Participants.AddRange(participants.Select(u => new RoomParticipant { RoomId = room.Id, UserId = u.Id }));
        context.Rooms.Add(room);
        return room;
    }

    private static RoomDocument AddDocument(FamigliaDbContext context, Room room, DocumentType type, string title, DateTime at) =>
        context.Documents.Add(new RoomDocument { RoomId = room.Id, Type = type, Title = title, CreatedAt = at, UpdatedAt = at }).Entity;

    private static void AddChat(FamigliaDbContext context, Room room, IReadOnlyList<User> users, string? thread, IReadOnlyList<string> bodies, DateTime start)
    {
        for (var i = 0; i < bodies.Count; i++)
        {
            var author = users[i % users.Count];
            context.Messages.Add(new Message
            {
                RoomId = room.Id,
                AuthorId = author.Id,
                AuthorNick = author.Handle,
                Body = bodies[i],
                Thread = thread,
                StanzaId = Ids.New(),
                CreatedAt = start.AddMinutes(3 * i),
            });
        }
    }

    private static void AddFile(FamigliaDbContext context, Group group, Room room, User uploader, string name, string mime, string text, DateTime at) =>
        context.Files.Add(new SpaceFile
        {
            GroupId = group.Id,
            RoomId = room.Id,
            UploadedById = uploader.Id,
            Name = name,
            Mime = mime,
            Size = System.Text.Encoding.UTF8.GetByteCount(text),
            Text = text,
            CreatedAt = at,
        });

    [LoggerMessage(1, LogLevel.Information, "The database already holds a group; demo data not seeded")]
    private static partial void AlreadySeeded(ILogger logger);

    [LoggerMessage(2, LogLevel.Information, "Seeded group {Group} with {Photos} photos")]
    private static partial void Seeded(ILogger logger, string group, int photos);
}
