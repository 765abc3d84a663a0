namespace Famiglia.Xmpp;

/// <summary>Someone in a room: nick, real JID when the room shows it, affiliation and role.</summary>
public sealed record MucOccupant(string Nick, Jid? RealJid, string Affiliation, string Role);
