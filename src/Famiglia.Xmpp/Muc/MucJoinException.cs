namespace Famiglia.Xmpp;

/// <summary>A room refused our join. <see cref="Condition"/> says why: <c>registration-required</c>
/// (members-only and we are not a member), <c>forbidden</c> (banned), <c>conflict</c> (nick in use),
/// <c>not-authorized</c> (password), <c>item-not-found</c> (the room does not exist and may not be created).</summary>
public sealed class MucJoinException : XmppException
{
    /// <summary>Creates the exception.</summary>
    public MucJoinException(Jid room, string nick, StanzaError error)
        : base($"Joining {room} as '{nick}' was refused: {Describe(error.Condition)} ({error}).")
    {
        Room = room;
        Condition = error.Condition;
    }

    /// <summary>The room.</summary>
    public Jid Room { get; }

    /// <summary>The stanza error condition.</summary>
    public string Condition { get; }

    private static string Describe(string condition) => condition switch
    {
        "registration-required" => "the room is members-only and we are not a member",
        "forbidden" => "we are banned from the room",
        "conflict" => "the nick is already in use",
        "not-authorized" => "a password is required",
        "service-unavailable" => "the room is full",
        "item-not-found" => "the room does not exist",
        "not-allowed" => "the room may not be created",
        _ => "the room refused",
    };
}
