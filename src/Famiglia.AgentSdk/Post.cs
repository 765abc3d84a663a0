namespace Famiglia.AgentSdk;

/// <summary>A feed post (<c>api.feed</c>, <c>api.post</c>).</summary>
/// <param name="Id">The post's id.</param>
/// <param name="Type"><c>text</c>, <c>image</c>, <c>video</c>, <c>link</c> or <c>file</c>.</param>
/// <param name="Content">The post's text and link.</param>
/// <param name="Author">Who posted it.</param>
/// <param name="Media">The post's media; empty for posts without media.</param>
/// <param name="CreatedAt">When it was posted.</param>
public sealed record Post(string Id, string Type, PostContent Content, UserInfo Author, IReadOnlyList<MediaInfo> Media, DateTimeOffset CreatedAt);
