namespace Famiglia.AgentSdk;

/// <summary>A room of the group (<c>api.room</c>, <c>api.rooms</c>).</summary>
/// <param name="Id">The room's id.</param>
/// <param name="Slug">The room's slug.</param>
/// <param name="Name">The room's name.</param>
/// <param name="Visibility"><c>PUBLIC</c> or <c>PARTICIPANTS_ONLY</c> (a string, so a newer value does not break older agents).</param>
/// <param name="MucJid">The room's MUC address.</param>
/// <param name="CreatedAt">When the room was created.</param>
/// <param name="Participants">Who takes part, by handle.</param>
public sealed record RoomInfo(
    string Id,
    string Slug,
    string Name,
    string Visibility,
    string MucJid,
    DateTimeOffset CreatedAt,
    IReadOnlyList<UserInfo> Participants);
