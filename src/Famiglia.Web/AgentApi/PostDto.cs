namespace Famiglia.Web.AgentApi;

/// <summary>A feed post (the shape of spec §8.1: <c>content.text</c>, <c>media[0].url</c>). <see cref="Type"/> is
/// text, image, video, link or file; <see cref="Media"/> is empty for posts without media.</summary>
public sealed record PostDto(string Id, string Type, PostContent Content, UserDto Author, IReadOnlyList<MediaDto> Media, DateTime CreatedAt);

/// <summary>What a post says: its text and, for link posts, the link.</summary>
public sealed record PostContent(string? Text, string? LinkUrl);
