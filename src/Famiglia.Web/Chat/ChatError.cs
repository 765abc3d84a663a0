namespace Famiglia.Web.Chat;

/// <summary>Why <see cref="ChatService"/> refused.</summary>
public enum ChatError
{
    /// <summary>An argument is invalid; <see cref="ChatException.Field"/> names it.</summary>
    Validation,

    /// <summary>The user may not see the room (or it does not exist).</summary>
    Forbidden,

    /// <summary>Chat is switched off or XMPP cannot be reached.</summary>
    Unavailable,
}
