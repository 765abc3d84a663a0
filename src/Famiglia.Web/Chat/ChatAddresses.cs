using Famiglia.Web.Infrastructure;
using Famiglia.Xmpp;
using Microsoft.Extensions.Options;

namespace Famiglia.Web.Chat;

/// <summary>
/// Names in XMPP (spec §6.1): a user's account <c>alice@{host}</c> and nick <c>@u:alice@{host}</c> (their handle), a room's
/// MUC <c>{roomSlug}.{groupSlug}@conference.{host}</c>, famiglia-web's own account <c>famiglia-web@{host}</c> with nick
/// <c>@s:famiglia@{host}</c>.
/// </summary>
internal sealed class ChatAddresses(IOptions<FamigliaOptions> options)
{
    public const string ServiceUser = "famiglia-web";

    /// <summary>What an agent's XMPP user starts with: <c>s-photo-agent</c> has the nick <c>@s:photo-agent@{host}</c>.</summary>
    public const string AgentUserPrefix = "s-";

    public string Domain => options.Value.XmppDomain;

    public string MucService => "conference." + Domain;

    public string ServiceJid => $"{ServiceUser}@{Domain}";

    public string ServiceNick => $"@s:famiglia@{Domain}";

    public static string RoomName(string roomSlug, string groupSlug) => $"{roomSlug}.{groupSlug}";

    public Jid RoomJid(string roomSlug, string groupSlug) => new(RoomName(roomSlug, groupSlug), MucService);

    /// <summary>The account's local part for a handle: <c>@u:alice@dev1.localhost</c> → <c>alice</c>.</summary>
    public static string LocalPart(string handle)
    {
        var name = handle.StartsWith("@u:", StringComparison.Ordinal) ? handle[3..] : handle;
        var at = name.LastIndexOf('@');
        return (at > 0 ? name[..at] : name).ToLowerInvariant();
    }

    public string UserJid(string handle) => $"{LocalPart(handle)}@{Domain}";

    /// <summary>The XMPP user of an agent's nick: <c>@s:photo-agent@dev1.localhost</c> → <c>s-photo-agent</c>; null for
    /// other nicks.</summary>
    public static string? AgentUser(string nick) => nick.StartsWith("@s:", StringComparison.Ordinal) ? AgentUserPrefix + NameOfNick(nick) : null;

    /// <summary>A readable name for a nick without a user: <c>@s:photo-agent@dev1.localhost</c> → <c>photo-agent</c>.</summary>
    public static string NameOfNick(string nick)
    {
        var colon = nick.StartsWith('@') ? nick.IndexOf(':', StringComparison.Ordinal) : -1;
        var name = colon > 0 ? nick[(colon + 1)..] : nick;
        var at = name.LastIndexOf('@');
        return at > 0 ? name[..at] : name;
    }
}
