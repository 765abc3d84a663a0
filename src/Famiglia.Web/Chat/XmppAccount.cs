namespace Famiglia.Web.Chat;

/// <summary>A user's XMPP account: the local part (in <see cref="ChatAddresses.Domain"/>) and its password.</summary>
internal sealed record XmppAccount(string User, string Password);
