namespace Famiglia.Xmpp;

/// <summary>What happened to a room or to our place in it.</summary>
public enum MucRoomEventKind
{
    /// <summary>Joined after a reconnect or a self-ping found us gone.</summary>
    Rejoined,

    /// <summary>Rejoining failed; the room is no longer joined.</summary>
    RejoinFailed,

    /// <summary>A moderator kicked us (status 307).</summary>
    Kicked,

    /// <summary>An admin banned us (status 301).</summary>
    Banned,

    /// <summary>We lost membership of a members-only room (status 321 or 322).</summary>
    RemovedFromMembersOnly,

    /// <summary>The room was destroyed.</summary>
    Destroyed,

    /// <summary>The room refused something we sent (e.g. a message while not an occupant).</summary>
    Error,

    /// <summary>Someone entered the room.</summary>
    OccupantJoined,

    /// <summary>Someone left the room.</summary>
    OccupantLeft,
}

/// <summary>An event of a room, with the server's reason when it gave one.</summary>
public sealed record MucRoomEvent(MucRoomEventKind Kind, string? Reason = null, string? Nick = null, Jid? AlternateRoom = null);
