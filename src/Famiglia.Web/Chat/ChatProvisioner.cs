using Famiglia.Web.Infrastructure;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Threading.Channels;
using Famiglia.Web.Spaces;
using Famiglia.Xmpp.Admin;
using Microsoft.EntityFrameworkCore;

namespace Famiglia.Web.Chat;

/// <summary>
/// Makes ejabberd match the database, idempotently: an account per user (and famiglia-web's own), and per room a persistent,
/// archived MUC, members-only for <see cref="RoomVisibility.PARTICIPANTS_ONLY"/> rooms with <c>member</c> affiliation for
/// their participants, famiglia-web's account <c>owner</c> of every room.
/// </summary>
/// <remarks>Additive only, but for members_only: it removes no account, affiliation or reserved nick.</remarks>
internal sealed partial class ChatProvisioner(
    IDbContextFactory<FamigliaDbContext> db,
    EjabberdAdminClient admin,
    ChatAddresses addresses,
    ServiceAccount service,
    SecretBox secrets,
    ILogger<ChatProvisioner> logger)
{
    private readonly ConcurrentDictionary<string, bool> _provisionedRooms = new(StringComparer.Ordinal);
    private readonly Channel<bool> _syncRequests = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    /// <summary>Signalled by <see cref="RequestSync"/>; the chat worker reads it.</summary>
    public ChannelReader<bool> SyncRequests => _syncRequests.Reader;

    /// <summary>Asks the chat worker to provision everything again and join new rooms, in the background
    /// (e.g. after users or rooms were added). Never blocks, never throws.</summary>
    public void RequestSync() => _syncRequests.Writer.TryWrite(true);

    /// <summary>famiglia-web's account, every user's and every room.</summary>
    public async Task ProvisionAllAsync(CancellationToken cancellationToken = default)
    {
        await admin.RegisterAsync(ChatAddresses.ServiceUser, addresses.Domain, service.Password, cancellationToken);
        await admin.RegisterNickAsync(addresses.ServiceNick, addresses.ServiceJid, addresses.MucService, cancellationToken);
        List<string> users, rooms;
        await using (var context = await db.CreateDbContextAsync(cancellationToken))
        {
            users = await context.Users.OrderBy(u => u.Id).Select(u => u.Id).ToListAsync(cancellationToken);
            rooms = await context.Rooms.OrderBy(r => r.Id).Select(r => r.Id).ToListAsync(cancellationToken);
        }

        foreach (var user in users)
        {
            await EnsureUserAsync(user, cancellationToken);
        }

        foreach (var room in rooms)
        {
            await EnsureRoomAsync(room, cancellationToken);
        }

        Provisioned(logger, users.Count, rooms.Count);
    }

    /// <summary>The user's account, registered now (its password generated first if the user has none yet), and their
    /// handle reserved as their nick in every room, so that no one else can speak as them.</summary>
    public async Task<XmppAccount> EnsureUserAsync(string userId, CancellationToken cancellationToken = default)
    {
        var (account, handle) = await AccountOfAsync(userId, cancellationToken);
        await admin.RegisterAsync(account.User, addresses.Domain, account.Password, cancellationToken);
        await admin.RegisterNickAsync(handle, addresses.UserJid(handle), addresses.MucService, cancellationToken);
        return account;
    }

    /// <summary>The user's account as the database has it; registered first if it had no password yet.</summary>
    public async Task<XmppAccount> AccountAsync(string userId, CancellationToken cancellationToken = default)
    {
        await using var context = await db.CreateDbContextAsync(cancellationToken);
        var user = await context.Users.Where(u => u.Id == userId).Select(u => new { u.Handle, u.XmppPassword }).SingleOrDefaultAsync(cancellationToken)
            ?? throw new InvalidOperationException($"There is no user '{userId}'.");
        return user.XmppPassword is null
            ? await EnsureUserAsync(userId, cancellationToken)
            : new XmppAccount(ChatAddresses.LocalPart(user.Handle), secrets.Open(user.XmppPassword));
    }

    /// <summary>The room's MUC with its options and affiliations.</summary>
    public async Task EnsureRoomAsync(string roomId, CancellationToken cancellationToken = default)
    {
        await using var context = await db.CreateDbContextAsync(cancellationToken);
        var room = await context.Rooms.Where(r => r.Id == roomId)
            .Select(r => new { r.Slug, r.GroupId, GroupSlug = r.Group!.Slug, r.Name, r.Visibility })
            .SingleOrDefaultAsync(cancellationToken)
            ?? throw new InvalidOperationException($"There is no room '{roomId}'.");
        var participants = await context.RoomParticipants
            .Where(p => p.RoomId == roomId && context.Members.Any(m => m.GroupId == room.GroupId && m.UserId == p.UserId))
            .Select(p => p.User!.Handle)
            .ToListAsync(cancellationToken);

        var name = ChatAddresses.RoomName(room.Slug, room.GroupSlug);
        var membersOnly = room.Visibility == RoomVisibility.PARTICIPANTS_ONLY;
        await admin.CreateRoomAsync(name, addresses.MucService, addresses.Domain, new Dictionary<string, string>
        {
            ["title"] = room.Name,
            ["persistent"] = "true",
            ["mam"] = "true",
            ["members_only"] = membersOnly ? "true" : "false",
            ["public"] = membersOnly ? "false" : "true",
        }, cancellationToken);
        await admin.SetRoomAffiliationAsync(name, addresses.MucService, addresses.ServiceJid, "owner", cancellationToken);
        if (membersOnly)
        {
            foreach (var handle in participants)
            {
                await admin.SetRoomAffiliationAsync(name, addresses.MucService, addresses.UserJid(handle), "member", cancellationToken);
            }
        }

        // Again for a room that existed already, which creating leaves as it was (after the affiliations, so that making a
        // room members-only puts out no participant).
        await admin.ChangeRoomOptionAsync(name, addresses.MucService, "members_only", membersOnly ? "true" : "false", cancellationToken);

        _provisionedRooms[roomId] = true;
    }

    /// <summary>Provisions the room unless this process did already; before a user first enters it, so that the
    /// entering never creates the room with default options.</summary>
    public Task EnsureRoomOnceAsync(string roomId, CancellationToken cancellationToken = default) =>
        _provisionedRooms.ContainsKey(roomId) ? Task.CompletedTask : EnsureRoomAsync(roomId, cancellationToken);

    private async Task<(XmppAccount Account, string Handle)> AccountOfAsync(string userId, CancellationToken cancellationToken)
    {
        await using var context = await db.CreateDbContextAsync(cancellationToken);

        // Set only where still null, so two callers racing agree on the first password written.
        var generated = secrets.Seal(Convert.ToBase64String(RandomNumberGenerator.GetBytes(24)).Replace('+', '-').Replace('/', '_'));
        await context.Users.Where(u => u.Id == userId && u.XmppPassword == null)
            .ExecuteUpdateAsync(u => u.SetProperty(x => x.XmppPassword, generated), cancellationToken);
        var user = await context.Users.Where(u => u.Id == userId).Select(u => new { u.Handle, u.XmppPassword }).SingleOrDefaultAsync(cancellationToken)
            ?? throw new InvalidOperationException($"There is no user '{userId}'.");
        return (new XmppAccount(ChatAddresses.LocalPart(user.Handle), secrets.Open(user.XmppPassword!)), user.Handle);
    }

    [LoggerMessage(1, LogLevel.Information, "Provisioned XMPP accounts of {Users} users and the MUCs of {Rooms} rooms")]
    private static partial void Provisioned(ILogger logger, int users, int rooms);
}
