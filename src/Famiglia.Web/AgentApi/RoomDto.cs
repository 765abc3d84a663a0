using Famiglia.Web.Spaces;

namespace Famiglia.Web.AgentApi;

/// <summary>A room, with the MUC the agent joins and who takes part.</summary>
public sealed record RoomDto(string Id, string Slug, string Name, RoomVisibility Visibility, string MucJid, DateTime CreatedAt, IReadOnlyList<UserDto> Participants);
