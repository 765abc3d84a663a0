namespace Famiglia.AgentSdk;

/// <summary>A room document, shown as a tab (<c>api.documents</c>).</summary>
/// <param name="Id">The document's id.</param>
/// <param name="RoomId">The room it belongs to.</param>
/// <param name="Type"><c>EDITOR</c>, <c>APP</c> or <c>AGENT</c> (a string, so a newer type does not break older agents).</param>
/// <param name="Title">The tab's title.</param>
/// <param name="CrdtKey">The document's key, which is also its chat thread.</param>
/// <param name="CreatedAt">When it was created.</param>
/// <param name="UpdatedAt">When it last changed.</param>
public sealed record Document(string Id, string RoomId, string Type, string Title, string CrdtKey, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);
