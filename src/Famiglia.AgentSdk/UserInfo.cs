namespace Famiglia.AgentSdk;

/// <summary>A person as agents see them.</summary>
/// <param name="Id">The user's id.</param>
/// <param name="Handle">The user's handle (the local part of their XMPP address).</param>
/// <param name="DisplayName">The name to show.</param>
public sealed record UserInfo(string Id, string Handle, string DisplayName);
